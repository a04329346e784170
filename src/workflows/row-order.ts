import type { HasuraEvent, RowState } from '../contract';

/**
 * Hasura gives no ordering, so a row's events are ordered by their `created_at` (the database's
 * NOW() of the change), with the event id breaking ties. Zone-less and `Z` forms compare alike.
 */
export function orderKey(event: Pick<HasuraEvent, 'createdAt' | 'eventId'>): string {
  const [seconds, fraction = ''] = event.createdAt.replace(/Z$|[+-]\d{2}:?\d{2}$/, '').split('.');
  return `${seconds}.${fraction.padEnd(9, '0')}|${event.eventId}`;
}

/** The newest event of a batch that is newer than what was applied, or undefined when all are stale. */
export function newestApplicable(batch: HasuraEvent[], lastApplied: RowState['lastApplied']): HasuraEvent | undefined {
  const floor = lastApplied ? orderKey(lastApplied) : '';
  const newest = [...batch].sort((a, b) => (orderKey(a) < orderKey(b) ? -1 : 1)).at(-1);
  return newest && orderKey(newest) > floor ? newest : undefined;
}

const SEEN_LIMIT = 500;

/** Remembers delivered ids so a re-forwarded event (an activity retry) is applied once. */
export function rememberSeen(state: RowState, events: HasuraEvent[]): void {
  state.seen.push(...events.map((e) => e.eventId));
  if (state.seen.length > SEEN_LIMIT) state.seen.splice(0, state.seen.length - SEEN_LIMIT);
}
