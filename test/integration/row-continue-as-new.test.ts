import type { TicketFields, TicketRef } from '../../src/ticketing/ticket-target';
import { eventually } from '../helpers/stack';
import { freshRowIds, useRowLane } from '../helpers/row-lane';

/* A run continues as new once its history passes 4 MiB (src/workflows/row-run.ts): large row images get there in a few events. */

const suite = useRowLane({ policy: { rowIdleMs: 1_000, attemptTimeoutMs: 10_000 } });

// Unmapped, so only the history grows: each UPDATE's signal and ticket call carry it three times (old, new, previous row).
const blob = 'x'.repeat(350 * 1024);
const T = (seconds: number) => `2026-12-02T10:00:0${seconds}.100000`;
const version = (title: string) => ({ title, priority: 'low', blob });

test('when a change arrives while the ticket call that makes the run continue as new is running, then the next run applies it', async () => {
  const [id] = freshRowIds(1);
  const row = await suite.lane.deliver({ op: 'INSERT', new: { id, ...version('v1') }, at: T(1) });
  await suite.lane.settled(row);
  await suite.lane.deliver({ op: 'UPDATE', old: { id, ...version('v1') }, new: { id, ...version('v2') }, at: T(2) });
  await suite.lane.settled(row);
  const firstRunId = (await suite.temporal.client.workflow.getHandle(row).describe()).runId;

  // The third change's update waits until the fourth has been handed to the row's run.
  let release!: () => void;
  const forwarded = new Promise<void>((resolve) => (release = resolve));
  const update = suite.lane.target.update.bind(suite.lane.target);
  let waiting = false;
  suite.lane.target.update = async (ref: TicketRef, fields: TicketFields) => {
    waiting = true;
    await forwarded;
    return update(ref, fields);
  };
  const third = suite.lane.deliver({
    op: 'UPDATE',
    old: { id, ...version('v2') },
    new: { id, ...version('v3') },
    at: T(3),
  });
  await eventually(() => (waiting ? true : undefined), { what: 'the third change at its update' });
  await suite.lane.deliver({ op: 'UPDATE', old: { id, ...version('v3') }, new: { id, ...version('v4') }, at: T(4) });
  release();
  await third;

  await eventually(() => (suite.lane.ticketsOf(id)[0]?.fields.short_description === 'v4' ? true : undefined), {
    what: 'the ticket at the row’s last change',
    timeoutMs: 30_000,
  });
  expect(suite.lane.ticketsOf(id)).toHaveLength(1);
  // The case under test: the run did continue as new meanwhile.
  expect((await suite.temporal.client.workflow.getHandle(row).describe()).runId).not.toBe(firstRunId);
}, 60_000);
