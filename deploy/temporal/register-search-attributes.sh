#!/bin/sh
# Creates the namespace (the server image does not) and registers the custom search attributes the bridge's
# workflows set (src/workflows/search-attributes.ts): the README's one-time cluster setup, for compose.
# Idempotent: "already exists" counts as success, so it can run on every `docker compose up`.
# One attribute per call, so that an attribute added later is still created when the others exist.
set -u

ADDRESS="temporal:7233"
NAMESPACE="default"
ATTRIBUTES="HasuraTrigger HasuraTable HasuraEventId HasuraOp TicketStatus TicketTarget IncidentNumber"
MAX_ATTEMPTS="${REGISTER_MAX_ATTEMPTS:-10}"
RETRY_DELAY_SECONDS="${REGISTER_RETRY_DELAY_SECONDS:-3}"

# The frontend can answer before it serves, and the namespace cache lags its creation by a few seconds,
# so other failures are retried, boundedly. $1 names what is created; the rest is the CLI command.
create() {
  what="$1"
  shift
  attempt=1
  while :; do
    output=$(temporal "$@" 2>&1)
    status=$?
    if [ "$status" -eq 0 ]; then echo "created $what"; return 0; fi
    if echo "$output" | grep -qi "already exists"; then echo "exists  $what"; return 0; fi
    if [ "$attempt" -ge "$MAX_ATTEMPTS" ]; then
      echo "failed  $what after $attempt attempts: $output" >&2
      return "$status"
    fi
    attempt=$((attempt + 1))
    sleep "$RETRY_DELAY_SECONDS"
  done
}

create "namespace $NAMESPACE" operator namespace create --namespace "$NAMESPACE" --address "$ADDRESS" || exit $?
for name in $ATTRIBUTES; do
  create "$name" operator search-attribute create --namespace "$NAMESPACE" \
    --name "$name" --type Keyword --address "$ADDRESS" || exit $?
done
