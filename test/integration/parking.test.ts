import { ApplicationFailure } from '@temporalio/common';
import { createTransformActivities } from '../../src/activities/transform';
import { abandonSignal, resolvePolicy, retrySignal, type BridgeActivities } from '../../src/contract';
import { DEFAULT_FIELDS } from '../../src/config/builtin';
import { createEventMapper, DEFAULT_MAPPING, type EventMapper } from '../../src/mapping/mapper';
import { TicketUnavailableError, TicketValidationError } from '../../src/ticketing/errors';
import type { TicketFields, TicketRef } from '../../src/ticketing/ticket-target';
import {
  eventInput,
  RecordingNotifier,
  startEvent,
  untilState,
  withEventWorker,
  type EventHarness,
} from '../helpers/event-harness';
import { FakeTarget, FAST_TEST_POLICY } from '../helpers/fake-target';
import { eventually } from '../helpers/stack';
import { connectTestTemporal, type TestTemporal } from '../helpers/temporal';

/** Whatever goes wrong on the way to a ticket, the event parks for an operator: it never just fails. */

let temporal: TestTemporal;
beforeAll(async () => {
  temporal = await connectTestTemporal();
});
afterAll(async () => temporal?.close());

const nonRetryable = (message: string) => () => Promise.reject(ApplicationFailure.nonRetryable(message, 'TestFault'));

async function abandonAndExpectAbandoned(h: EventHarness, handle: Awaited<ReturnType<typeof startEvent>>) {
  await handle.signal(abandonSignal, { reason: 'test done' });
  expect(await handle.result()).toMatchObject({ status: 'abandoned', reason: 'test done' });
  expect(h.target.tickets).toHaveLength(0);
}

describe('a template that cannot render', () => {
  const mappingWith = (openedAt: string) => ({
    ...DEFAULT_MAPPING,
    defaults: { ...DEFAULT_MAPPING.defaults, fields: { ...DEFAULT_FIELDS, opened_at: openedAt } },
  });

  test('when a field template fails for this row, then the event parks with the mapping error, and after the template is fixed a retry creates the ticket', async () => {
    // The mapper the worker runs: the test "deploys" a fixed config by swapping it.
    let mapper: EventMapper = createEventMapper(mappingWith('{{ row.opened | servicenow_datetime }}'));
    const transform = () =>
      createTransformActivities({ mapper, config: DEFAULT_MAPPING, policy: resolvePolicy(FAST_TEST_POLICY) });
    const activities = (real: BridgeActivities): BridgeActivities => ({
      ...real,
      transformEvent: (input) => transform().transformEvent(input),
    });
    await withEventWorker(temporal, { activities }, async (h) => {
      const handle = await startEvent(h, eventInput(FAST_TEST_POLICY, { opened: 'not a date' }));
      const status = await untilState(handle, 'waiting-for-operator');
      expect(status.lastError).toMatchObject({ type: 'MappingError', message: expect.stringContaining('opened_at') });
      expect(status.attempts).toBe(1);
      const notifier = h.notifier as RecordingNotifier;
      await eventually(() => notifier.sent[0]);
      expect(notifier.sent[0].report).toMatchObject({ outcome: 'parked', lastError: { type: 'MappingError' } });

      mapper = createEventMapper(mappingWith('{{ row.opened | default: "unknown" }}'));
      await handle.signal(retrySignal, {});
      expect(await handle.result()).toMatchObject({ status: 'created' });
      expect(h.target.tickets[0].fields.opened_at).toBe('not a date');
    });
  });
});

/** Every create outlives the attempt timeout: each attempt times out, none leaves a ticket. */
class TooSlowTarget extends FakeTarget {
  async create(input: { correlationId: string; fields: TicketFields }): Promise<TicketRef> {
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    this.createFailures = [new TicketUnavailableError('gave up')];
    return super.create(input);
  }
}

test('when every attempt times out, then the status and the notification count every attempt of the policy', async () => {
  const policy = {
    ...FAST_TEST_POLICY,
    attemptTimeoutMs: 300,
    ticketRetry: { initialIntervalMs: 50, backoffCoefficient: 1, maximumIntervalMs: 50, maximumAttempts: 3 },
  };
  await withEventWorker(temporal, { target: new TooSlowTarget() }, async (h) => {
    const handle = await startEvent(h, eventInput(policy));
    const status = await untilState(handle, 'waiting-for-operator');
    expect(status.lastError?.type).toBe('TimeoutFailure');
    expect(status.attempts).toBe(3);
    const notifier = h.notifier as RecordingNotifier;
    expect((await eventually(() => notifier.sent[0])).report.attempts).toBe(3);
    await handle.signal(abandonSignal, { reason: 'test done' });
    await handle.result();
  });
});

describe('a notification step that fails', () => {
  const parkedByValidation = () => {
    const target = new FakeTarget();
    target.createFailures = [new TicketValidationError('Invalid urgency', { status: 400 })];
    return target;
  };

  test('when the log step fails for good, then the event still parks, the channels are still told, and the operator decides', async () => {
    const notifier = new RecordingNotifier(['email', 'webhook']);
    const activities = (real: BridgeActivities) => ({ ...real, logFailure: nonRetryable('log sink down') });
    await withEventWorker(temporal, { target: parkedByValidation(), notifier, activities }, async (h) => {
      const handle = await startEvent(h);
      await untilState(handle, 'waiting-for-operator');
      await eventually(() => (notifier.sent.length === 2 ? true : undefined), { what: 'both channels' });
      await abandonAndExpectAbandoned(h, handle);
    });
  });

  test('when listing the channels fails for good, then the event still parks and the operator decides', async () => {
    const logged: string[] = [];
    const activities = (real: BridgeActivities) => ({
      ...real,
      logFailure: async (facts: Parameters<BridgeActivities['logFailure']>[0]) => void logged.push(facts.workflowId),
      notifyChannels: nonRetryable('config unreadable'),
    });
    await withEventWorker(temporal, { target: parkedByValidation(), activities }, async (h) => {
      const handle = await startEvent(h);
      await untilState(handle, 'waiting-for-operator');
      await eventually(() => logged[0], { what: 'the log line' });
      await abandonAndExpectAbandoned(h, handle);
    });
  });

  test('when one channel fails for good, then the others are told and the event parks', async () => {
    const notifier = new RecordingNotifier(['email', 'webhook']);
    const activities = (real: BridgeActivities): BridgeActivities => ({
      ...real,
      notifyFailure: (channel, facts) =>
        channel === 'email' ? nonRetryable('SMTP 554')() : real.notifyFailure(channel, facts),
    });
    await withEventWorker(temporal, { target: parkedByValidation(), notifier, activities }, async (h) => {
      const handle = await startEvent(h);
      await untilState(handle, 'waiting-for-operator');
      await eventually(() => notifier.sent.find((s) => s.channel === 'webhook'), { what: 'the webhook' });
      await abandonAndExpectAbandoned(h, handle);
    });
  });
});
