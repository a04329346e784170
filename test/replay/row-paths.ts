import type { Client } from '@temporalio/client';
import { abandonSignal, retryUpdate, type RowOutcome } from '../../src/contract';
import { TicketValidationError } from '../../src/ticketing/errors';
import { afterCall, timedOut } from '../helpers/fake-target';
import { eventually } from '../helpers/stack';
import type { Harness } from './recorder-harness';
import { body, expectOutcome, parked, runChain, status, type Path } from './recording-steps';

/* The lifecycle paths issue 12 added (test/replay/README.md). */

/** Starts a lifecycle event and waits until it is forwarded; returns its row workflow id. */
async function forwardedTo(h: Harness, event: Record<string, unknown>, lane = h.lifecycle): Promise<string> {
  const { workflowId } = await lane.start(event);
  const outcome = await expectOutcome(h.client, workflowId, 'forwarded');
  if (outcome.status !== 'forwarded') throw new Error(`not forwarded: ${JSON.stringify(outcome)}`);
  return outcome.rowWorkflowId;
}

/** Waits for the row's current run (other than `after`) to finish idle; returns its run id. */
async function idleRun(client: Client, rowWorkflowId: string, after?: string): Promise<string> {
  const runId = await eventually(
    async () => {
      const { runId: current, status: state } = await client.workflow.getHandle(rowWorkflowId).describe();
      return current !== after && state.name === 'COMPLETED' ? current : undefined;
    },
    { what: `${rowWorkflowId} to finish idle`, timeoutMs: 60_000 },
  );
  const outcome: RowOutcome = await client.workflow.getHandle(rowWorkflowId, runId).result();
  if (outcome.status !== 'idle') throw new Error(`${rowWorkflowId}: expected idle, got ${JSON.stringify(outcome)}`);
  return runId;
}

export const ISSUE_12_PATHS: Record<string, Path> = {
  // Issue 12: a row run that finished idle left its state; the next event's run resumes from it.
  'row-resumed-after-idle': async (h) => {
    const v1 = { id: 11, title: 'Disk almost full', priority: 'low' };
    const v2 = { ...v1, priority: 'high' };
    const insert = body({ trigger: 'replay_row', op: 'INSERT', old: null, new: v1 });
    const update = body({ trigger: 'replay_row', op: 'UPDATE', old: v1, new: v2 });
    const rowWorkflowId = await forwardedTo(h, { ...insert, created_at: '2026-11-27T10:00:00.100000' });
    const first = await idleRun(h.client, rowWorkflowId);
    await forwardedTo(h, { ...update, created_at: '2026-11-27T10:00:01.100000' });
    const resumed = await idleRun(h.client, rowWorkflowId, first);
    return { workflowId: rowWorkflowId, runId: resumed };
  },

  // Issue 12's review (patched('12-bounded-carry')): the idle run carried the ticket's last image once, in its held
  // INSERT; the resumed run finds it by digest and sends the UPDATE's ticket call without the same before-image.
  'row-update-sent-once': async (h) => {
    const v1 = { id: 15, title: 'Disk almost full', priority: 'low' };
    const v2 = { ...v1, priority: 'high' };
    const insert = body({ trigger: 'replay_row', op: 'INSERT', old: null, new: v1 });
    const update = body({ trigger: 'replay_row', op: 'UPDATE', old: v1, new: v2 });
    const rowWorkflowId = await forwardedTo(h, { ...insert, created_at: '2026-11-27T10:00:00.100000' });
    const first = await idleRun(h.client, rowWorkflowId);
    await forwardedTo(h, { ...update, created_at: '2026-11-27T10:00:01.100000' });
    await idleRun(h.client, rowWorkflowId, first);
    // The resumed chain's first run applied the UPDATE (the server's low threshold may have split it).
    return { workflowId: rowWorkflowId, runId: (await runChain(h.client, rowWorkflowId))[0] };
  },

  // Issue 12: the INSERT parks and its park expires; the UPDATE that arrived meanwhile is applied.
  'row-park-expired': async (h) => {
    const v1 = { id: 12, title: 'Disk almost full', priority: 'low' };
    const v2 = { ...v1, priority: 'high' };
    const lane = h.lifecycleShortPark;
    lane.target.createFailures = [new TicketValidationError('Invalid assignment group', { status: 400 })];
    const insert = body({ trigger: 'replay_row', op: 'INSERT', old: null, new: v1 });
    const rowWorkflowId = await forwardedTo(h, { ...insert, created_at: '2026-11-27T10:00:00.100000' }, lane);
    await parked(h.client, rowWorkflowId);
    const update = body({ trigger: 'replay_row', op: 'UPDATE', old: v1, new: v2 });
    await forwardedTo(h, { ...update, created_at: '2026-11-27T10:00:01.100000' }, lane);
    await idleRun(h.client, rowWorkflowId);
    // The server's low continue-as-new threshold may have split the chain: the park is in its first run.
    return { workflowId: rowWorkflowId, runId: (await runChain(h.client, rowWorkflowId))[0] };
  },

  // Issue 12: a forward that fails for good parks like a ticket failure; the operator abandons it.
  'event-forward-parked-then-abandoned': async (h) => {
    const { workflowId } = await h.lifecycleNoClient.start(
      body({ trigger: 'replay_row', new: { id: 13, title: 'x' } }),
    );
    await parked(h.client, workflowId);
    await h.client.workflow.getHandle(workflowId).signal(abandonSignal, { reason: 'no row workflow wanted' });
    await expectOutcome(h.client, workflowId, 'abandoned');
    return { workflowId };
  },

  // Issue 12 (patched('12-row-operator-retry-check')): a row create parks after a possibly written attempt; the
  // operator's retry creates, and the late check cancels the earlier attempt's late commit.
  'row-operator-retry-late-check': async (h) => {
    const { target } = h.lifecycle;
    const creates = target.calls.filter((call) => call === 'create').length;
    const stalled = { answer: timedOut(), commitWhen: afterCall('create', creates + 3) };
    target.createFailures = [stalled, new TicketValidationError('Invalid assignment group', { status: 400 })];
    const insert = body({ trigger: 'replay_row', op: 'INSERT', old: null, new: { id: 14, title: 'x' } });
    const rowWorkflowId = await forwardedTo(h, { ...insert, created_at: '2026-11-27T10:00:00.100000' });
    await parked(h.client, rowWorkflowId);
    await h.client.workflow.getHandle(rowWorkflowId).executeUpdate(retryUpdate, { args: [{}] });
    await eventually(() => target.calls.includes('cancel') || undefined, { what: 'the late duplicate cancelled' });
    await idleRun(h.client, rowWorkflowId);
    return { workflowId: rowWorkflowId, runId: (await runChain(h.client, rowWorkflowId))[0] };
  },
};

/**
 * Issue 16: row events as the webhook delivers them (src/starting/row-delivery.ts), no event workflow. Recorded on
 * a server with its own continue-as-new threshold (record-histories.ts): the run is as long as production's.
 */
export const DIRECT_ROW_PATHS: Record<string, Path> = {
  // The first change starts the run (signal-with-start); the second, once the first is applied, is its signal;
  // then the run finishes idle. One run: test/bench/row-actions.test.ts counts each change's actions from it.
  'row-signalled-by-webhook': async (h) => {
    const v1 = { id: 16, title: 'Disk almost full', priority: 'low' };
    const changes = [
      { op: 'INSERT', old: null, new: v1, delivered: 'signal-with-start' },
      { op: 'UPDATE', old: v1, new: { ...v1, priority: 'high' }, delivered: 'signal' },
    ] as const;
    let first: { workflowId: string; runId?: string } | undefined;
    for (const [i, { delivered, ...change }] of changes.entries()) {
      const event = { ...body({ trigger: 'replay_row', ...change }), created_at: `2026-12-03T10:00:0${i}.100000` };
      const started = await h.lifecycle.start(event);
      if (started.delivered !== delivered) throw new Error(`change ${i + 1}: ${JSON.stringify(started)}`);
      first ??= started;
      await eventually(async () => ((await status(h.client, first!.workflowId)).row?.applied ?? 0) > i || undefined, {
        what: `row change ${i + 1} applied`,
      });
    }
    const runId = await idleRun(h.client, first!.workflowId);
    if (runId !== first!.runId) throw new Error(`${first!.workflowId}: the changes reached more than one run`);
    return { workflowId: first!.workflowId, runId };
  },
};
