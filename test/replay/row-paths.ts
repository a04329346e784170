import type { Client } from '@temporalio/client';
import { abandonSignal, retryUpdate, type RowOutcome } from '../../src/contract';
import { TicketValidationError } from '../../src/ticketing/errors';
import { afterCall, timedOut } from '../helpers/fake-target';
import { eventually } from '../helpers/stack';
import type { Harness } from './recorder-harness';
import { body, expectOutcome, parked, runChain, type Path } from './recording-steps';

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
