import { correlationIdFor, retrySignal } from '../../src/contract';
import type { EventOutcome } from '../../src/contract';
import { TicketValidationError } from '../../src/ticketing/errors';
import { afterCall, timedOut, type FakeTarget } from '../helpers/fake-target';
import { eventually } from '../helpers/stack';
import type { Lane } from './recorder-harness';
import { body, expectOutcome, parked, resetToFirstWorkflowTask, type Path } from './recording-steps';

/**
 * The create path's interleavings of issue 11, as the code behind patched('11-...') runs them. The
 * lane's FakeTarget keeps scripted creates invisible until a later call, so each path is deterministic.
 */

/** Scripts the lane's target from a clean call count (the lane's target serves every path of the lane). */
function script(lane: Lane, failures: FakeTarget['createFailures']): FakeTarget {
  lane.target.calls.length = 0;
  lane.target.createFailures = failures;
  return lane.target;
}

function expectLateCheck(outcome: EventOutcome, cancelled: number, reported?: string): void {
  if (outcome.status !== 'created' || outcome.duplicatesCancelled !== cancelled)
    throw new Error(`expected a late check cancelling ${cancelled}: ${JSON.stringify(outcome)}`);
  if (reported && outcome.ticket.number !== reported)
    throw new Error(`expected ${reported} reported, got ${outcome.ticket.number}`);
}

const oldestOpen = (target: FakeTarget, correlationId: string) =>
  target.tickets.find((t) => t.correlationId === correlationId && !t.closed)?.number;

export const CREATE_PATHS: Record<string, Path> = {
  // Attempt 1 slow, attempt 2 writes and stalls, attempt 3 reuses attempt 1's ticket; the late check cancels attempt 2's.
  'event-reused-late-check': async (h) => {
    script(h.single, [
      { answer: timedOut(), commitWhen: afterCall('create', 2) },
      { answer: timedOut(), commitWhen: afterCall('find', 2) },
    ]);
    const { workflowId } = await h.single.start(body());
    const outcome = await expectOutcome(h.client, workflowId, 'created');
    if (outcome.status === 'created' && !outcome.reusedExisting) throw new Error('attempt 3 did not reuse');
    expectLateCheck(outcome, 1);
    return { workflowId };
  },

  // The first schedule's write commits only after the operator's retry created a ticket: the older one is kept.
  'event-operator-retry-late-check': async (h) => {
    const target = script(h.single, [
      { answer: timedOut(), commitWhen: afterCall('create', 3) },
      new TicketValidationError('Data Policy Exception: Assignment group is mandatory', { status: 403 }),
    ]);
    const b = body();
    const correlationId = correlationIdFor('replay_fixture', String(b.id));
    const { workflowId } = await h.single.start(b);
    await parked(h.client, workflowId);
    await h.client.workflow
      .getHandle(workflowId)
      .signal(retrySignal, { overrides: { assignment_group: 'replay-fixture-group' }, reason: 'group was missing' });
    const outcome = await expectOutcome(h.client, workflowId, 'created');
    expectLateCheck(outcome, 1, oldestOpen(target, correlationId));
    return { workflowId };
  },

  // A redelivery of an event two hours old, whose ticket exists: the fresh run looks up first and reuses it.
  'event-old-lookup-first': async (h) => {
    const target = script(h.single, []);
    const old: Record<string, unknown> = {
      ...body(),
      created_at: new Date(Date.now() - 2 * 3600_000).toISOString().replace('Z', ''),
    };
    const seeded = target.seed(correlationIdFor('replay_fixture', String(old.id)));
    const { workflowId } = await h.single.start(old);
    const outcome = await expectOutcome(h.client, workflowId, 'created');
    expectLateCheck(outcome, 0, seeded.number);
    if (target.calls[0] !== 'find') throw new Error(`no lookup first: ${target.calls}`);
    return { workflowId };
  },

  // Attempt 1's write (stamped first) commits after attempt 2 created: the late check keeps it, and it is reported.
  'event-kept-reported': async (h) => {
    const target = script(h.single, [{ answer: timedOut(), commitWhen: afterCall('create', 2) }]);
    const b = body();
    const { workflowId } = await h.single.start(b);
    const outcome = await expectOutcome(h.client, workflowId, 'created');
    expectLateCheck(outcome, 1, oldestOpen(target, correlationIdFor('replay_fixture', String(b.id))));
    return { workflowId };
  },

  // Reset while the old run's create hangs; that write commits after the reset run created: kept and reported.
  'event-reset-in-flight': async (h, server) => {
    const target = script(h.single, [{ answer: 'hang', commitWhen: afterCall('create', 2) }]);
    const b = body();
    const { workflowId, runId: firstRunId } = await h.single.start(b);
    await eventually(() => (target.calls.includes('create') ? true : undefined), { what: 'the first create' });
    const runId = await resetToFirstWorkflowTask(h, server, { workflowId, runId: firstRunId });
    const outcome = await expectOutcome(h.client, workflowId, 'created', runId);
    expectLateCheck(outcome, 1, oldestOpen(target, correlationIdFor('replay_fixture', String(b.id))));
    return { workflowId, runId };
  },
};
