/*
 * The reconciler's ranges over the order (sys_updated_on, sys_id) (review 14 (3), (4)). ServiceNow applies
 * sysparm_limit before ACLs: a page of records the integration user may not read comes back empty while more
 * follow. An offset past it would shift when one of those records changes (it moves to the end) and hide a
 * readable one; instead the sweep narrows the query to a range (after, until] whose records fit one page, steps
 * over it once it is read to its end, and widens again. Positions only: nothing that an update can shift.
 */
import type { SweepPosition } from '../ticketing/servicenow';

/** Above every sys_id (32 lowercase hex characters): the end of a second. */
export const MAX_SYS_ID = 'f'.repeat(32);
const SYS_ID = /^[0-9a-f]{32}$/;

export const glide = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
export const epochOf = (glideTime: string) => Date.parse(`${glideTime.replace(' ', 'T')}Z`);
const endOf = (second: string): SweepPosition => ({ updatedOn: second, sysId: MAX_SYS_ID });

/** The sweep's lower bound as a position (exclusive): `since` (inclusive) is right after the second before it. */
export function lowerBound(since: string, after?: SweepPosition): SweepPosition {
  return after ?? endOf(glide(epochOf(since) - 1000));
}

/** The upper bound of a range reaching the clock, past the lower bound in any case (a clock behind the data). */
export function openUpper(lower: SweepPosition, now: number): SweepPosition {
  return endOf(glide(Math.max(now, epochOf(lower.updatedOn) + 1000)));
}

/** Halfway between two sys_ids of one second (`lower` -1: before them all); undefined if none lies between. */
function sysIdHalfway(second: string, lower: bigint, upper: string): SweepPosition | undefined {
  if (!SYS_ID.test(upper)) return undefined;
  const high = BigInt(`0x${upper}`);
  const middle = (lower + high) / 2n;
  if (middle <= lower || middle >= high) return undefined;
  return { updatedOn: second, sysId: middle.toString(16).padStart(32, '0') };
}

/**
 * A bound splitting (lower, upper] in about half: a whole second between them when there is one, else the end
 * of the lower's second, else halfway through the sys_ids of the one second. Undefined when (lower, upper]
 * holds a single position (or sys_ids are not ServiceNow's hex).
 */
export function halfway(lower: SweepPosition, upper: SweepPosition): SweepPosition | undefined {
  const [a, b] = [epochOf(lower.updatedOn), epochOf(upper.updatedOn)];
  if (b - a >= 2000) return endOf(glide(a + Math.floor((b - a) / 2000) * 1000));
  if (b - a === 1000 && lower.sysId < MAX_SYS_ID) return endOf(lower.updatedOn);
  if (b - a === 1000) return sysIdHalfway(upper.updatedOn, -1n, upper.sysId);
  if (b !== a || !SYS_ID.test(lower.sysId)) return undefined;
  return sysIdHalfway(upper.updatedOn, BigInt(`0x${lower.sysId}`), upper.sysId);
}

/**
 * The range after (lower, upper], read to its end: twice as wide (at least two seconds), so a long hidden stretch
 * is crossed in few queries; undefined (no upper bound) once it would reach the clock.
 */
export function nextUpper(lower: SweepPosition, upper: SweepPosition, now: number): SweepPosition | undefined {
  const end = epochOf(upper.updatedOn);
  const next = end + 2 * Math.max(1000, end - epochOf(lower.updatedOn));
  return next >= now ? undefined : endOf(glide(next));
}
