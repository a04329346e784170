import type { Secret } from '../common/secret';

/**
 * The database Hasura's triggers watch, and the Hasura in front of it: where write-back writes,
 * catch-up reads `hdb_catalog.event_log` and backfill reads existing rows.
 */
export interface SourceConfig {
  /** A PostgreSQL connection URL (it carries a password, so it is a secret). */
  postgres?: { url: Secret };
  hasura?: SourceHasuraConfig;
}

export interface SourceHasuraConfig {
  /** The engine's root URL; GraphQL is `<url>/v1/graphql`, metadata `<url>/v1/metadata`. */
  url: string;
  adminSecret: Secret;
  /** The backend-only role the bridge writes as; events whose session variables carry it are the bridge's own. */
  role: string;
}
