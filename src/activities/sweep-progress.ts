import { Context } from '@temporalio/activity';
import type { ReconcileCarry } from '../contract';
import type { SweepPage, SweepPosition } from '../ticketing/servicenow';
import type { InboundTrigger } from './inbound-triggers';
import { epochOf, glide } from './sweep-range';

/* The reconciler's progress within one attempt, and what a trigger's sweep leaves for the next run (./reconcile.ts). */

/**
 * The next sweep starts this long before the newest sys_updated_on seen: a transaction that began
 * earlier can commit after a sweep read (ServiceNow ends any transaction at 60 s), and sys_updated_on has
 * whole seconds. What is read twice starts nothing twice: the change's workflow id is its dedupe.
 */
export const SWEEP_OVERLAP_MS = 60_000;

/** Where a sweep stands: heartbeated after each record, so a retried attempt resumes right there. */
export interface SweepProgress {
  /** The trigger being swept (an index into the worker's inbound triggers); those before it are done. */
  trigger: number;
  /** Its last record whose change was started, or the end of a range read to its end. */
  after?: SweepPosition;
  /** The end (inclusive) of the range being read, past records ACLs hide, and where it began; absent: to the end. */
  until?: SweepPosition;
  from?: SweepPosition;
  /** The last page, when more followed it in its range: its X-Total-Count and records read, to count the hidden. */
  counted?: { total: number; read: number };
  seen: number;
  started: number;
  /** Records passed over unread: the ACLs hide them from the integration user. */
  hidden: number;
  /** The newest sys_updated_on this trigger read. */
  newest: string;
  /** The second this trigger stopped at for the run's cap: from there on it is unread. */
  stoppedAt?: string;
  /** It stopped inside a hidden stretch: where its next run goes on. */
  carry?: ReconcileCarry;
  /** The finished triggers' next cursors and positions, by name. */
  cursors: Record<string, string>;
  positions?: Record<string, ReconcileCarry>;
}

/** The records the ACLs hid between the last page's records and this page's range (same range, more followed). */
export function countHidden(sweep: SweepProgress, page: SweepPage) {
  if (sweep.counted && page.total !== undefined) {
    sweep.hidden += Math.max(0, sweep.counted.total - sweep.counted.read - page.total);
  }
  sweep.counted = undefined;
}

/**
 * Where the trigger's next run starts. A finished sweep: 60 s before the newest change it saw. One stopped
 * for the cap: at the second it stopped at, and no later than 60 s before this worker's clock (what it read
 * may still gain a late commit there): each run moves on by a second at least.
 */
export function nextSince(since: string, sweep: SweepProgress, now: number): string {
  const floor = epochOf(since);
  if (!sweep.stoppedAt) return glide(Math.max(floor, epochOf(sweep.newest) - SWEEP_OVERLAP_MS));
  return glide(Math.max(floor, Math.min(epochOf(sweep.stoppedAt), now - SWEEP_OVERLAP_MS)));
}

/**
 * Heartbeat details to resume from. Those from before per-trigger cursors (review 14 (10)) hold one `newest` and
 * `stoppedAt` for all the triggers read so far: the finished ones get the cursor that code gave them all, and the
 * resumed one starts its own from its last record, so no trigger's cursor comes from another's records.
 */
export function resumedFrom(
  first: SweepProgress,
  sinceOf: (index: number) => string,
  triggers: InboundTrigger[],
  now: number,
) {
  const details = Context.current().info.heartbeatDetails as Partial<SweepProgress> | undefined;
  if (!details || details.cursors) return { ...first, ...details };
  const trigger = Math.min(details.trigger ?? 0, triggers.length);
  const cursors: Record<string, string> = {};
  const old = { ...first, ...details };
  for (let index = 0; index < trigger; index += 1) cursors[triggers[index].name] = nextSince(sinceOf(index), old, now);
  const own = details.after?.updatedOn ?? sinceOf(trigger);
  return { ...old, cursors, stoppedAt: undefined, newest: own > sinceOf(trigger) ? own : sinceOf(trigger) };
}

/** One trigger done: its cursor, where it goes on if it stopped inside a hidden stretch, and a warning if hid any. */
export function finishTrigger(
  trigger: InboundTrigger,
  since: string,
  sweep: SweepProgress,
  hiddenBefore: number,
  now: number,
) {
  sweep.cursors[trigger.name] = nextSince(since, sweep, now);
  // Only a position no late commit can fall before (as a cursor's 60 s): else the cursor repeats it, as before.
  if (sweep.carry && sweep.carry.after.updatedOn <= glide(now - SWEEP_OVERLAP_MS)) {
    sweep.positions = { ...sweep.positions, [trigger.name]: sweep.carry };
  }
  const hidden = sweep.hidden - hiddenBefore;
  if (hidden > 0 || sweep.carry) {
    const where = sweep.carry ? `; stopped inside them, the next run goes on after ${sweep.carry.after.updatedOn}` : '';
    Context.current().log.warn(
      `ServiceNow sweep of trigger ${trigger.name}: ${hidden} records with its prefix are hidden from the integration user by ACLs${where}`,
      { trigger: trigger.name, hidden },
    );
  }
}
