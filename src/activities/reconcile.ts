import { Context } from '@temporalio/activity';
import type { ReconcileInput, ReconcileResult, ServiceNowChange } from '../contract';
import type { ServiceNowRecords, SweepPage, SweepPosition, TableRecord } from '../ticketing/servicenow';
import type { UpdatedSinceQuery } from '../ticketing/servicenow';
import type { TicketTarget } from '../ticketing/ticket-target';
import type { InboundTrigger } from './inbound-triggers';
import { countHidden, finishTrigger, resumedFrom, type SweepProgress } from './sweep-progress';
import { glide, halfway, lowerBound, nextUpper, openUpper } from './sweep-range';
import { withFailureMapping } from './ticket';

export interface ReconcileDeps {
  targets: Record<string, TicketTarget>;
  /** Starts a change's workflow as the webhook does (src/starting); duplicate when it exists. */
  startServiceNowChange?: (change: ServiceNowChange) => Promise<{ duplicate: boolean }>;
  now?: () => number;
  /** Defaults SWEEP_LIMITS; tests make them small. */
  pageSize?: number;
  maxRecords?: number;
  maxMs?: number;
}

export const SWEEP_LIMITS = {
  /** Records per query page. */
  pageSize: 200,
  /** Records one run starts per trigger; then it finishes that second and stops (the next run goes on). */
  maxRecords: 5_000,
  /** Time one attempt sweeps, shared equally by the triggers: well inside the sweep's 15-minute start-to-close. */
  maxMs: 10 * 60_000,
};
/** The first sweep (no earlier run) looks back this far. */
export const FIRST_SWEEP_WINDOW_MS = 24 * 3600_000;
/** One trigger's share of this attempt: spent after maxRecords records or its part of maxMs. */
function budgetOf(deps: ReconcileDeps, now: () => number, triggers: number) {
  const maxRecords = deps.maxRecords ?? SWEEP_LIMITS.maxRecords;
  const deadline = now() + (deps.maxMs ?? SWEEP_LIMITS.maxMs) / triggers;
  let records = 0;
  const late = () => now() >= deadline;
  return { spend: () => void (records += 1), spent: () => records > 0 && (records >= maxRecords || late()), late };
}

/** Starts one change's workflow unless it exists (the receiver got there first, or an earlier sweep). */
async function startChange(deps: ReconcileDeps, table: string, record: TableRecord): Promise<boolean> {
  if (!deps.startServiceNowChange) throw new Error('the reconciler needs the change starter (a Temporal client)');
  const change = { table, sysId: String(record.sys_id), modCount: Number(record.sys_mod_count) };
  return !(await deps.startServiceNowChange(change)).duplicate;
}

/**
 * One trigger's tickets, oldest change first, paged by keyset (sys_updated_on, sys_id): each page starts
 * right after the last record read, so a record changed during the sweep (it moves to the end) cannot
 * shift an unread one out of the next page, as an offset would. Once the budget is spent it stops where
 * a new second begins, so the next run (which starts at a whole second) repeats nothing of it.
 * A short page is not the end (ACLs drop records after the limit): only the server's "no more", or an
 * empty page it says nothing about. A page the ACLs emptied narrows the query to a range that fits a page, read
 * to its end and stepped over (./sweep-range.ts); ranges then widen again.
 */
async function sweepTrigger(deps: ReconcileDeps, triggers: InboundTrigger[], since: string, sweep: SweepProgress) {
  const trigger = triggers[sweep.trigger];
  const limit = deps.pageSize ?? SWEEP_LIMITS.pageSize;
  const now = deps.now ?? Date.now;
  const budget = budgetOf(deps, now, triggers.length);
  for (;;) {
    const page = await readPage(deps, trigger, { since, after: sweep.after, until: sweep.until, limit });
    countHidden(sweep, page);
    for (const record of page) {
      if (!(await sweepRecord(deps, trigger, record, sweep, budget))) return;
    }
    if (page.more === undefined && page.length > 0) continue;
    if (page.more === true && page.length > 0) {
      if (page.total !== undefined) sweep.counted = { total: page.total, read: page.length };
      continue;
    }
    const lower = lowerBound(since, sweep.after);
    if (page.more !== true) {
      if (page.total !== undefined) sweep.hidden += Math.max(0, page.total - page.length);
      if (!sweep.until) return;
      stepOver(sweep, lower, now());
      budget.spend();
    } else {
      // Hidden records fill the page's whole limit: a narrower range, unless this attempt's share is spent.
      const narrower = budget.spent() ? undefined : halfway(lower, sweep.until ?? openUpper(lower, now()));
      if (!narrower) return void stopInside(sweep, since, lower);
      Object.assign(sweep, { from: sweep.from ?? lower, until: narrower });
    }
    Context.current().heartbeat({ ...sweep });
  }
}

/** (after, until] is read to its end: on to the range after it, twice as wide (it counts as progress). */
function stepOver(sweep: SweepProgress, lower: SweepPosition, now: number) {
  const next = sweep.until && nextUpper(sweep.from ?? lower, sweep.until, now);
  Object.assign(sweep, { after: sweep.until, from: next && sweep.until, until: next });
}

/** Stopped inside a hidden stretch: the cursor stays, and the next run goes on from the range it was narrowing. */
function stopInside(sweep: SweepProgress, since: string, lower: SweepPosition) {
  Object.assign(sweep, { stoppedAt: sweep.after?.updatedOn ?? since, carry: { after: lower, until: sweep.until } });
}

function readPage(
  deps: ReconcileDeps,
  trigger: InboundTrigger,
  query: Omit<UpdatedSinceQuery, 'fields' | 'correlationPrefix'>,
) {
  const reader = deps.targets[trigger.target] as TicketTarget & ServiceNowRecords;
  const fields = ['sys_id', 'sys_mod_count', 'sys_updated_on', 'sys_updated_by'];
  return withFailureMapping((signal): Promise<SweepPage> =>
    reader.listUpdatedSince({ ...query, fields, correlationPrefix: `${trigger.name}:` }, { signal }),
  );
}

/** Starts one record's change; false once the budget is spent (the trigger stops before that record). */
async function sweepRecord(
  deps: ReconcileDeps,
  trigger: InboundTrigger,
  record: TableRecord,
  sweep: SweepProgress,
  budget: ReturnType<typeof budgetOf>,
): Promise<boolean> {
  const updatedOn = String(record.sys_updated_on);
  if (budget.spent() && updatedOn !== sweep.after?.updatedOn) {
    sweep.stoppedAt = updatedOn;
    return false;
  }
  sweep.seen += 1;
  // The bridge's own changes too: an agent's change before it (its call lost) shows only in this version.
  if (await startChange(deps, trigger.table, record)) sweep.started += 1;
  if (updatedOn > sweep.newest) sweep.newest = updatedOn;
  sweep.after = { updatedOn, sysId: String(record.sys_id) };
  budget.spend();
  // A copy: the SDK sends throttled details later, and this sweep object goes on changing.
  Context.current().heartbeat({ ...sweep });
  return true;
}

export function createReconcileActivities(deps: ReconcileDeps, triggers: InboundTrigger[]) {
  const now = deps.now ?? Date.now;
  return {
    async sweepServiceNowChanges(input: ReconcileInput): Promise<ReconcileResult> {
      const since = input.since ?? glide(now() - FIRST_SWEEP_WINDOW_MS);
      const sinceOf = (index: number) => input.cursors?.[triggers[index]?.name] ?? since;
      // A trigger stopped inside a hidden stretch goes on there (review 14 (3)); a resumed attempt where it was.
      const carried = (index: number) => input.positions?.[triggers[index]?.name] ?? {};
      const first = { trigger: 0, seen: 0, started: 0, hidden: 0, newest: sinceOf(0), cursors: {}, ...carried(0) };
      const sweep: SweepProgress = resumedFrom(first, sinceOf, triggers, now());
      for (; sweep.trigger < triggers.length; sweep.trigger += 1) {
        const hiddenBefore = sweep.hidden;
        await sweepTrigger(deps, triggers, sinceOf(sweep.trigger), sweep);
        finishTrigger(triggers[sweep.trigger], sinceOf(sweep.trigger), sweep, hiddenBefore, now());
        const next = { after: undefined, until: undefined, from: undefined, counted: undefined, carry: undefined };
        Object.assign(
          sweep,
          next,
          { stoppedAt: undefined, newest: sinceOf(sweep.trigger + 1) },
          carried(sweep.trigger + 1),
        );
      }
      const { cursors, positions, seen, started, hidden } = sweep;
      return {
        since: Object.values(cursors).sort()[0] ?? since,
        cursors,
        ...(positions && { positions }),
        seen,
        started,
        hidden,
      };
    },
  };
}
