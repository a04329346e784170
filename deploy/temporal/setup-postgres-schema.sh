#!/bin/sh
# Creates Temporal's two PostgreSQL databases and brings each schema to the version the server expects, with
# the server's own tool (temporal-sql-tool) and the schema files of the same release (the admin-tools image
# ships them in /etc/temporal/schema). Every step is idempotent: an existing database is kept, setup-schema
# leaves a versioned schema alone and update-schema applies only what is newer, so it runs on every start.
# The cluster test tier (test/cluster) runs this same file against a real PostgreSQL.
set -eu

: "${POSTGRES_SEEDS:?set POSTGRES_SEEDS (the PostgreSQL host)}"
: "${POSTGRES_USER:?set POSTGRES_USER}"
SCHEMA_DIR="${SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}"

sql_tool() {
  temporal-sql-tool --plugin postgres12 --endpoint "$POSTGRES_SEEDS" --port "${DB_PORT:-5432}" \
    --user "$POSTGRES_USER" --password "${POSTGRES_PWD:-}" "$@"
}

# Same variables (and defaults) as the server's own configuration, so both sides name the same databases.
for pair in "${DBNAME:-temporal}:temporal" "${VISIBILITY_DBNAME:-temporal_visibility}:visibility"; do
  database="${pair%%:*}"
  schema="${pair#*:}"
  sql_tool --database "$database" create-database
  sql_tool --database "$database" setup-schema --version 0.0
  sql_tool --database "$database" update-schema --schema-dir "$SCHEMA_DIR/$schema/versioned"
  echo "schema ready: $database ($schema)"
done
