import type { TicketRef } from './ticket-target';

/** Correlation keys are unique per event: more matches than this means something else is wrong. */
export const CORRELATION_MATCH_LIMIT = '100';

type RefOrder = (a: TicketRef, b: TicketRef) => number;

/**
 * Orders what findByCorrelation found oldest first, so every attempt keeps the same ticket and cancels
 * the others: by creation time, then by the target's own tie-break for tickets its clock cannot tell apart.
 */
export function oldestFirst(tieBreak: RefOrder): RefOrder {
  return (a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || tieBreak(a, b);
}
