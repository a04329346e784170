#!/bin/sh
# Registers the custom search attributes the bridge's workflows set (src/workflows/search-attributes.ts).
# Idempotent: "already exists" counts as success, so it can run on every `docker compose up`.
# One attribute per call, so that an attribute added later is still created when the others exist.
set -u

ADDRESS="temporal:7233"
NAMESPACE="default"
ATTRIBUTES="HasuraTrigger HasuraTable HasuraEventId HasuraOp TicketStatus TicketTarget IncidentNumber"
MAX_ATTEMPTS="${REGISTER_MAX_ATTEMPTS:-10}"
RETRY_DELAY_SECONDS="${REGISTER_RETRY_DELAY_SECONDS:-3}"

# The namespace cache can lag the healthcheck by a few seconds, so other failures are retried, boundedly.
register() {
  attempt=1
  while :; do
    output=$(temporal operator search-attribute create --namespace "$NAMESPACE" \
      --name "$1" --type Keyword --address "$ADDRESS" 2>&1)
    status=$?
    if [ "$status" -eq 0 ]; then echo "created $1"; return 0; fi
    if echo "$output" | grep -qi "already exists"; then echo "exists  $1"; return 0; fi
    if [ "$attempt" -ge "$MAX_ATTEMPTS" ]; then
      echo "failed  $1 after $attempt attempts: $output" >&2
      return "$status"
    fi
    attempt=$((attempt + 1))
    sleep "$RETRY_DELAY_SECONDS"
  done
}

for name in $ATTRIBUTES; do
  register "$name" || exit $?
done
