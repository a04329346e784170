/** How a Hasura delivery maps to Temporal and ticket identities. Changing these breaks dedupe. */

/**
 * The one length rule for correlation keys: ServiceNow's correlation_id is a 100-character string
 * field, and every target gets keys that fit it.
 */
export const CORRELATION_ID_MAX_LENGTH = 100;

/** One workflow per event: Hasura redelivers the same `id`, so a redelivery hits the same workflow. */
export function workflowIdFor(trigger: string, eventId: string): string {
  return `hasura-${trigger}-${eventId}`;
}

/** The idempotency key written to the ticket; event ids are UUIDs, so the trigger part may be clipped. */
export function correlationIdFor(trigger: string, eventId: string): string {
  const room = CORRELATION_ID_MAX_LENGTH - eventId.length - 1;
  return `${trigger.slice(0, Math.max(0, room))}:${eventId}`;
}

/** Temporal's default `limit.maxIDLength`, which counts UTF-8 bytes. */
export const WORKFLOW_ID_MAX_BYTES = 1000;

/**
 * One workflow per row of a lifecycle trigger; `table` is `schema.name`. A key that would make the id
 * too long for Temporal is replaced by its SHA-256 (the readable key stays in the workflow's summary);
 * ids that fit read as they always did, so running row workflows keep theirs.
 */
export function rowWorkflowIdFor(
  trigger: string,
  table: string,
  rowKey: string,
  sha256Hex: (text: string) => string,
): string {
  const plain = `row-${trigger}-${table}-${rowKey}`;
  if (new TextEncoder().encode(plain).length <= WORKFLOW_ID_MAX_BYTES) return plain;
  return `row-${trigger}-${table}-sha256:${sha256Hex(rowKey)}`;
}

/**
 * The row's ticket key. Row keys can be long (composite, text): past the length limit, a hash keeps
 * them unique. The caller hands in SHA-256 as hex, which workflow-safe code cannot compute itself.
 */
export function rowCorrelationIdFor(
  trigger: string,
  table: string,
  rowKey: string,
  sha256Hex: (text: string) => string,
): string {
  const plain = `${trigger}:${table}:${rowKey}`;
  if (plain.length <= CORRELATION_ID_MAX_LENGTH) return plain;
  return `${trigger.slice(0, 40)}:${sha256Hex(plain).slice(0, 48)}`;
}
