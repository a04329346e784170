import { randomUUID } from 'node:crypto';
import { statusQuery, type RowOutcome } from '../../src/contract';
import { freshRowIds, useRowLane, type RowChange } from '../helpers/row-lane';

/*
 * Hasura redelivers an event it got no answer for, and catch-up and backfill send it again: since issue 16 each
 * delivery is a signal to the row's workflow, so the row workflow itself drops the second delivery of an event id,
 * also in a later run (continue-as-new, or a resume after an idle finish) that carries the first one's state.
 */

const suite = useRowLane({ policy: { rowIdleMs: 1_000, attemptTimeoutMs: 10_000 } });

const T = (seconds: number) => `2026-12-03T10:00:0${seconds}.100000`;
// Unmapped: only the history grows, so a few changes make the run continue as new (src/workflows/row-run.ts).
const blob = 'x'.repeat(350 * 1024);

const runIdOf = async (row: string) => (await suite.temporal.client.workflow.getHandle(row).describe()).runId;

/** Delivers `change` again (same event id) and checks nothing about the row moved: no ticket call, none counted. */
async function redeliverChangesNothing(row: string, change: RowChange, id: number): Promise<void> {
  const calls = suite.lane.target.calls.length;
  const before = await suite.lane.settled(row);
  await suite.lane.deliver(change);
  const after = await suite.lane.settled(row);
  expect(after.row).toMatchObject({ applied: before.row?.applied, skipped: before.row?.skipped, pending: 0 });
  expect(suite.lane.target.calls.length).toBe(calls);
  expect(suite.lane.ticketsOf(id)).toHaveLength(1);
}

test('when an event is delivered again after its row run finished idle, then the resumed run drops it', async () => {
  const [id] = freshRowIds(1);
  const insert: RowChange = { op: 'INSERT', new: { id, title: 'v1', priority: 'low' }, at: T(1), id: randomUUID() };
  const row = await suite.lane.deliver(insert);
  await suite.lane.settled(row);
  const first: RowOutcome = await suite.temporal.client.workflow.getHandle(row).result();
  expect(first).toMatchObject({ status: 'idle', applied: 1, skipped: 0 });

  const firstRunId = await runIdOf(row);
  const calls = suite.lane.target.calls.length;
  await suite.lane.deliver(insert);
  // No run was open: the redelivery started one that resumed the first one's state; it finishes idle again.
  const resumed: RowOutcome = await suite.temporal.client.workflow.getHandle(row).result();
  expect(await runIdOf(row)).not.toBe(firstRunId);
  expect(resumed).toMatchObject({ status: 'idle', applied: 1, skipped: 0 });
  expect(suite.lane.target.calls.length).toBe(calls);
  expect(suite.lane.ticketsOf(id)).toHaveLength(1);
}, 60_000);

test('when events are delivered again after their row run continued as new, then the next run drops them', async () => {
  const [id] = freshRowIds(1);
  const version = (title: string) => ({ id, title, priority: 'low', blob });
  const changes: RowChange[] = [{ op: 'INSERT', new: version('v1'), at: T(1), id: randomUUID() }];
  const row = await suite.lane.deliver(changes[0]);
  await suite.lane.settled(row);
  const firstRunId = await runIdOf(row);
  // Each change makes the history grow by about 1 MiB: the run continues as new within a few.
  for (let n = 2; (await runIdOf(row)) === firstRunId; n++) {
    expect(n).toBeLessThan(9);
    const change: RowChange = {
      op: 'UPDATE',
      old: version(`v${n - 1}`),
      new: version(`v${n}`),
      at: T(n),
      id: randomUUID(),
    };
    changes.push(change);
    await suite.lane.deliver(change);
    await suite.lane.settled(row);
  }
  // The newest change (the ticket shows it) and the first one, both known only from the carried state.
  await redeliverChangesNothing(row, changes.at(-1)!, id);
  await redeliverChangesNothing(row, changes[0], id);
  const status = await suite.temporal.client.workflow.getHandle(row).query(statusQuery);
  expect(status.row?.lastApplied?.eventId).toBe(changes.at(-1)!.id);
}, 120_000);
