import type { EventPolicy } from './event-policy';
import type { HasuraEvent } from './events';

const ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * When Hasura recorded the event, in epoch ms (NaN when unreadable). Hasura's `created_at` is the
 * database's NOW() written without a zone (older builds append `Z`), in the DB server's zone: UTC on
 * managed Postgres and in the official postgres image compose runs, so a zone-less time is read as UTC. Read
 * as local time it would depend on the worker's zone, and replay must not.
 */
export function eventCreatedAtMs(createdAt: string): number {
  return Date.parse(ZONE.test(createdAt) ? createdAt : `${createdAt}Z`);
}

/**
 * Should a fresh run look the ticket up before creating? Yes for an event older than the policy's
 * `lookupFirstAfterMs` at the run's start (deterministic: both times are in history): a Hasura
 * redelivery of an event whose first run created the ticket and then left retention. Also yes when
 * the time cannot be read: one lookup too many is safe, a second ticket is not.
 */
export function isOldEvent(event: HasuraEvent, policy: EventPolicy, runStart: Date): boolean {
  const ageMs = runStart.getTime() - eventCreatedAtMs(event.createdAt);
  return !(ageMs <= policy.lookupFirstAfterMs);
}
