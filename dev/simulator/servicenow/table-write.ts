import type { Request, Response } from 'express';

import type { DelayedCommitPlan, PendingCommits } from './delayed-commit';
import type { BusinessRule } from './business-rule';
import { isInFaultScope } from './fault-gate';
import type { FaultState } from './faults';
import { createRecord, updateRecord, type WriteDeps, type WriteOutcome } from './record-writes';
import { NO_RECORD_FOUND, sendJson } from './responses';
import type { StatsRecorder } from './stats';
import { tableCallOf, type TableCall } from './table-call';
import { renderForRequest, type ReadDeps } from './table-read';

export interface TableWriteDeps extends WriteDeps, ReadDeps {
  stats: StatsRecorder;
  faults: FaultState;
  pendingCommits: PendingCommits;
  businessRule: BusinessRule;
}

function writeRequest(req: Request, call: TableCall) {
  if (!call.user) throw new Error('table write reached without an authenticated user');
  return {
    table: call.table,
    body: call.body ?? {},
    user: call.user,
    inputDisplayValue: req.query.sysparm_input_display_value === 'true',
  };
}

function sendOutcome(deps: TableWriteDeps, req: Request, res: Response, outcome: WriteOutcome, status: number): void {
  if (!outcome.ok) return sendJson(res, outcome.status, outcome.body);
  sendJson(res, status, { result: renderForRequest(deps, req, tableCallOf(res).table, outcome.entry.fields) });
}

function answerCreated(deps: TableWriteDeps, req: Request, res: Response, outcome: WriteOutcome & { ok: true }): void {
  if (res.writableEnded || res.destroyed) return;
  const call = tableCallOf(res);
  const versionPath = call.version ? `/${call.version}` : '';
  res.setHeader(
    'Location',
    `${deps.baseUrl()}/api/now${versionPath}/table/${call.table}/${outcome.entry.fields.sys_id}`,
  );
  if (String(req.headers['x-no-response-body']).toLowerCase() === 'true') {
    res.status(201).end();
    return;
  }
  sendOutcome(deps, req, res, outcome, 201);
}

/** The insert commits after `commitAfterMs` whether or not the client is still there; reads miss it until then. */
function commitLater(deps: TableWriteDeps, req: Request, res: Response, plan: DelayedCommitPlan): void {
  const request = writeRequest(req, tableCallOf(res));
  deps.pendingCommits.schedule(plan.commitAfterMs, () => {
    const outcome = createRecord(deps, request);
    if (!outcome.ok) return void (res.destroyed || sendOutcome(deps, req, res, outcome, 201));
    deps.stats.recordCreate(tableCallOf(res).correlationId, deps.now());
    if (plan.answer === 'after-commit') answerCreated(deps, req, res, outcome);
    if (plan.answer === 'late')
      deps.pendingCommits.schedule(plan.lateByMs, () => answerCreated(deps, req, res, outcome));
  });
}

export function createHandler(deps: TableWriteDeps) {
  return (req: Request, res: Response): void => {
    const delayed = isInFaultScope(res) ? deps.faults.takeDelayedCommit() : undefined;
    if (delayed) return commitLater(deps, req, res, delayed);
    const outcome = createRecord(deps, writeRequest(req, tableCallOf(res)));
    if (!outcome.ok) return sendOutcome(deps, req, res, outcome, 201);
    deps.stats.recordCreate(tableCallOf(res).correlationId, deps.now());
    // A real instance may commit and then answer too late: the record exists, the client sees only a timeout.
    if (isInFaultScope(res) && deps.faults.takeSlowCommit()) return;
    answerCreated(deps, req, res, outcome);
  };
}

/** PATCH and PUT alike: both are partial updates on the Table API (reference §3). */
export function updateHandler(deps: TableWriteDeps) {
  return (req: Request, res: Response): void => {
    const call = tableCallOf(res);
    const outcome = updateRecord(deps, { ...writeRequest(req, call), sysId: call.sysId ?? '' });
    if (outcome.ok) deps.businessRule.afterUpdate(call.table, outcome.entry.fields);
    sendOutcome(deps, req, res, outcome, 200);
  };
}

export function deleteHandler(deps: TableWriteDeps) {
  return (_req: Request, res: Response): void => {
    const { table, sysId = '' } = tableCallOf(res);
    if (!deps.store.delete(table, sysId)) return sendJson(res, 404, NO_RECORD_FOUND);
    res.status(204).end();
  };
}
