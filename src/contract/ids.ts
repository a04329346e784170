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

/** Base64url characters of the row key's tag: 132 bits of HMAC-SHA256, not guessable, short enough to fit. */
export const CORRELATION_TAG_LENGTH = 22;

/**
 * The row's ticket key, `<trigger>:<tag>:<schema.table>:<rowKey>`: the tag (src/common/correlation-tag.ts)
 * signs the rest, so a ServiceNow user cannot give an incident a row's key before the bridge does (review
 * R4). Past the length limit the whole MAC stands for the key. The caller hands in the MAC as base64url of
 * `<trigger>:<schema.table>:<rowKey>`, which workflow-safe code cannot compute (nor hold the secret of).
 */
export function rowCorrelationIdFor(
  trigger: string,
  table: string,
  rowKey: string,
  macBase64url: (text: string) => string,
): string {
  const mac = macBase64url(`${trigger}:${table}:${rowKey}`);
  const tagged = `${trigger}:${mac.slice(0, CORRELATION_TAG_LENGTH)}:${table}:${rowKey}`;
  if (tagged.length <= CORRELATION_ID_MAX_LENGTH) return tagged;
  return `${trigger.slice(0, 40)}:${mac}`;
}

/**
 * The untagged key rows were ticketed with before the tag (`correlation.legacy_before`); long keys hashed
 * with SHA-256 as hex. Anyone could set it, so it is trusted only on tickets created before that instant.
 */
export function legacyRowCorrelationIdFor(
  trigger: string,
  table: string,
  rowKey: string,
  sha256Hex: (text: string) => string,
): string {
  const plain = `${trigger}:${table}:${rowKey}`;
  if (plain.length <= CORRELATION_ID_MAX_LENGTH) return plain;
  return `${trigger.slice(0, 40)}:${sha256Hex(plain).slice(0, 48)}`;
}
