import { abandonSignal, statusQuery, type EventOutcome } from '../../src/contract';
import type { FailureReport, Notifier, NotifyChannel } from '../../src/notify';
import { TicketValidationError } from '../../src/ticketing/errors';
import { eventually } from '../helpers/stack';
import { freshRowIds, RowLane } from '../helpers/row-lane';
import { connectTestTemporal, type TestTemporal } from '../helpers/temporal';

/* Nothing is lost while a row waits: on an operator, on a park deadline, or on its own hand-over. */

class CountingNotifier implements Notifier {
  readonly reports: FailureReport[] = [];
  channels(): NotifyChannel[] {
    return ['webhook'];
  }
  async send(_channel: NotifyChannel, report: FailureReport) {
    this.reports.push(report);
    return 'sent' as const;
  }
  async close() {}
}

let temporal: TestTemporal;
beforeAll(async () => {
  temporal = await connectTestTemporal();
});
afterAll(async () => temporal?.close());

const v1 = { title: 'Disk almost full', priority: 'low' };
const v2 = { title: 'Disk full', priority: 'high' };
const T = (seconds: number) => `2026-11-27T10:00:0${seconds}.100000`;

test('when a row’s park expires, then the events that arrived meanwhile are still applied', async () => {
  const lane = await new RowLane(temporal, { policy: { parkTimeoutMs: 2_000 } }).start();
  try {
    lane.target.createFailures = [new TicketValidationError('Invalid assignment group', { status: 400 })];
    const [id] = freshRowIds(1);
    const row = await lane.deliver({ op: 'INSERT', new: { id, ...v1 }, at: T(1) });
    const handle = temporal.client.workflow.getHandle(row);
    await eventually(
      async () => ((await handle.query(statusQuery)).state === 'waiting-for-operator' ? true : undefined),
      {
        what: 'the INSERT parked',
      },
    );
    await lane.deliver({ op: 'UPDATE', old: { id, ...v1 }, new: { id, ...v2 }, at: T(2) });
    await eventually(() => lane.ticketsOf(id)[0], { what: 'the ticket of the UPDATE that waited', timeoutMs: 15_000 });
    await lane.settled(row);
    expect(lane.ticketsOf(id)).toHaveLength(1);
    expect(lane.ticketsOf(id)[0].fields).toMatchObject({ short_description: 'Disk full', urgency: '1' });
    const status = await handle.query(statusQuery);
    expect(status.operatorNote).toMatch(/given up/);
  } finally {
    await lane.stop();
  }
});

test('when an event cannot be handed to its row workflow, then it parks and operators are notified', async () => {
  const notifier = new CountingNotifier();
  // This worker has no Temporal client: every forward fails, and the retries run out quickly.
  const lane = await new RowLane(temporal, { notifier, withoutClient: true }).start();
  try {
    const [id] = freshRowIds(1);
    const workflowId = await lane.startForward({ op: 'INSERT', new: { id, ...v1 }, at: T(1) });
    const handle = temporal.client.workflow.getHandle(workflowId);
    await eventually(
      async () => ((await handle.query(statusQuery)).state === 'waiting-for-operator' ? true : undefined),
      {
        what: 'the forward parked',
        timeoutMs: 20_000,
      },
    );
    await eventually(() => notifier.reports.length > 0 || undefined, { what: 'a notification' });
    expect(notifier.reports[0]).toMatchObject({ eventId: expect.any(String), outcome: 'parked' });
    await handle.signal(abandonSignal, { reason: 'test done' });
    const outcome: EventOutcome = await handle.result();
    expect(outcome.status).toBe('abandoned');
  } finally {
    await lane.stop();
  }
});
