import { Context } from '@temporalio/activity';
import type { ReconcileInput, ReconcileResult, ServiceNowChange } from '../contract';
import type { ServiceNowRecords, SweepPosition, TableRecord } from '../ticketing/servicenow';
import type { TicketTarget } from '../ticketing/ticket-target';
import type { InboundTrigger } from './inbound';
import { withFailureMapping } from './ticket';

export interface ReconcileDeps {
  targets: Record<string, TicketTarget>;
  /** Starts a change's workflow as the webhook does (src/starting); duplicate when it exists. */
  startServiceNowChange?: (change: ServiceNowChange) => Promise<{ duplicate: boolean }>;
  now?: () => number;
  /** Records per query page; default SWEEP_PAGE. */
  pageSize?: number;
}

/** Records per query page. */
export const SWEEP_PAGE = 200;
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

interface Sweep {
  seen: number;
  started: number;
  newest: string;
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
 * shift an unread one out of the next page, as an offset would.
 */
async function sweepTrigger(deps: ReconcileDeps, trigger: InboundTrigger, since: string, sweep: Sweep) {
  const reader = deps.targets[trigger.target] as TicketTarget & ServiceNowRecords;
  const limit = deps.pageSize ?? SWEEP_PAGE;
  let after: SweepPosition | undefined;
  for (;;) {
    const query = { since, after, correlationPrefix: `${trigger.name}:`, limit };
    const fields = ['sys_id', 'sys_mod_count', 'sys_updated_on', 'sys_updated_by'];
    const page = await withFailureMapping((signal) => reader.listUpdatedSince({ ...query, fields }, { signal }));
    for (const record of page) {
      const updatedOn = String(record.sys_updated_on);
      after = { updatedOn, sysId: String(record.sys_id) };
      sweep.seen += 1;
      // The bridge's own change would only be read and ignored by its workflow: skip the workflow.
      const own = trigger.integrationUser !== undefined && record.sys_updated_by === trigger.integrationUser;
      if (!own && (await startChange(deps, trigger.table, record))) sweep.started += 1;
      if (updatedOn > sweep.newest) sweep.newest = updatedOn;
    }
    Context.current().heartbeat({ trigger: trigger.name, after });
    if (page.length < limit) return;
  }
}

export function createReconcileActivities(deps: ReconcileDeps, triggers: InboundTrigger[]) {
  const now = deps.now ?? Date.now;
  return {
    async sweepServiceNowChanges(input: ReconcileInput): Promise<ReconcileResult> {
      const since = input.since ?? glide(now() - FIRST_SWEEP_WINDOW_MS);
      const sweep: Sweep = { seen: 0, started: 0, newest: since };
      for (const trigger of triggers) await sweepTrigger(deps, trigger, since, sweep);
      const next = glide(Math.max(epochOf(since), epochOf(sweep.newest) - SWEEP_OVERLAP_MS));
      return { since: next, seen: sweep.seen, started: sweep.started };
    },
  };
}
