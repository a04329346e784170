import { Context } from '@temporalio/activity';
import type { ReconcileInput, ReconcileResult, ServiceNowChange } from '../contract';
import type { ServiceNowRecords, SweepPage, SweepPosition, TableRecord } from '../ticketing/servicenow';
import type { TicketTarget } from '../ticketing/ticket-target';
import type { InboundTrigger } from './inbound';
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
/**
 * The next sweep starts this long before the newest sys_updated_on seen: a transaction that began
 * earlier can commit after a sweep read (ServiceNow ends any transaction at 60 s), and sys_updated_on has
 * whole seconds. What is read twice starts nothing twice: the change's workflow id is its dedupe.
 */
export const SWEEP_OVERLAP_MS = 60_000;

const glide = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const epochOf = (glideTime: string) => Date.parse(`${glideTime.replace(' ', 'T')}Z`);

/** Where a sweep stands: heartbeated after each record, so a retried attempt resumes right there. */
interface SweepProgress {
  /** The trigger being swept (an index into the worker's inbound triggers); those before it are done. */
  trigger: number;
  /** Its last record whose change was started. */
  after?: SweepPosition;
  /** Records after it passed over: whole pages that ACLs emptied (the server said more follow). */
  skipped: number;
  seen: number;
  started: number;
  /** The newest sys_updated_on this trigger read. */
  newest: string;
  /** The second this trigger stopped at for the run's cap: from there on it is unread. */
  stoppedAt?: string;
  /** The finished triggers' next cursors, by name. */
  cursors: Record<string, string>;
}

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
 * empty page it says nothing about. An emptied page with more after it is passed over by offset.
 */
async function sweepTrigger(deps: ReconcileDeps, triggers: InboundTrigger[], since: string, sweep: SweepProgress) {
  const trigger = triggers[sweep.trigger];
  const reader = deps.targets[trigger.target] as TicketTarget & ServiceNowRecords;
  const limit = deps.pageSize ?? SWEEP_LIMITS.pageSize;
  const budget = budgetOf(deps, deps.now ?? Date.now, triggers.length);
  for (;;) {
    const query = { since, after: sweep.after, offset: sweep.skipped, correlationPrefix: `${trigger.name}:`, limit };
    const fields = ['sys_id', 'sys_mod_count', 'sys_updated_on', 'sys_updated_by'];
    const page: SweepPage = await withFailureMapping((signal) =>
      reader.listUpdatedSince({ ...query, fields }, { signal }),
    );
    for (const record of page) {
      if (!(await sweepRecord(deps, trigger, record, sweep, budget))) return;
    }
    if (page.more === false || (page.length === 0 && page.more !== true)) return;
    if (page.length > 0) continue;
    if (budget.late()) return void (sweep.stoppedAt = sweep.after?.updatedOn ?? since);
    sweep.skipped += limit;
    Context.current().heartbeat({ ...sweep });
  }
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
  sweep.skipped = 0;
  budget.spend();
  // A copy: the SDK sends throttled details later, and this sweep object goes on changing.
  Context.current().heartbeat({ ...sweep });
  return true;
}

/**
 * Where the trigger's next run starts. A finished sweep: 60 s before the newest change it saw. One stopped
 * for the cap: at the second it stopped at, and no later than 60 s before this worker's clock (what it read
 * may still gain a late commit there): each run moves on by a second at least.
 */
function nextSince(since: string, sweep: SweepProgress, now: number): string {
  const floor = epochOf(since);
  if (!sweep.stoppedAt) return glide(Math.max(floor, epochOf(sweep.newest) - SWEEP_OVERLAP_MS));
  return glide(Math.max(floor, Math.min(epochOf(sweep.stoppedAt), now - SWEEP_OVERLAP_MS)));
}

export function createReconcileActivities(deps: ReconcileDeps, triggers: InboundTrigger[]) {
  const now = deps.now ?? Date.now;
  return {
    async sweepServiceNowChanges(input: ReconcileInput): Promise<ReconcileResult> {
      const since = input.since ?? glide(now() - FIRST_SWEEP_WINDOW_MS);
      const sinceOf = (index: number) => input.cursors?.[triggers[index]?.name] ?? since;
      const resumed = Context.current().info.heartbeatDetails as SweepProgress | undefined;
      const first = { trigger: 0, skipped: 0, seen: 0, started: 0, newest: sinceOf(0), cursors: {} };
      // Details heartbeated before cursors existed lack them: the defaults fill in.
      const sweep: SweepProgress = { ...first, ...resumed };
      for (; sweep.trigger < triggers.length; sweep.trigger += 1) {
        await sweepTrigger(deps, triggers, sinceOf(sweep.trigger), sweep);
        sweep.cursors[triggers[sweep.trigger].name] = nextSince(sinceOf(sweep.trigger), sweep, now());
        Object.assign(sweep, {
          after: undefined,
          skipped: 0,
          stoppedAt: undefined,
          newest: sinceOf(sweep.trigger + 1),
        });
      }
      const { cursors, seen, started } = sweep;
      return { since: Object.values(cursors).sort()[0] ?? since, cursors, seen, started };
    },
  };
}
