/** How a Hasura delivery maps to Temporal and ticket identities. Changing these breaks dedupe. */

/** One workflow per event: Hasura redelivers the same `id`, so a redelivery hits the same workflow. */
export function workflowIdFor(trigger: string, eventId: string): string {
  return `hasura-${trigger}-${eventId}`;
}

const CORRELATION_MAX = 100; // ServiceNow correlation_id is a 100-character string field.

/** The idempotency key written to the ticket; event ids are UUIDs, so the trigger part may be clipped. */
export function correlationIdFor(trigger: string, eventId: string): string {
  const room = CORRELATION_MAX - eventId.length - 1;
  return `${trigger.slice(0, Math.max(0, room))}:${eventId}`;
}
