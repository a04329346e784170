import { WorkflowFailedError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { createServiceNowChangeStarter } from '../../src/starting/servicenow-change-starter';
import { RecordingNotifier } from '../helpers/event-harness';
import { rowTicketKey } from '../helpers/correlation';
import { plantedIncident } from '../helpers/inbound-rows';
import { deliverLikeHasura, hasuraEventBody } from '../helpers/hasura';
import { HASURA_SECRET, startInboundStack, type InboundStack } from '../helpers/inbound-stack';
import { eventually } from '../helpers/stack';

/*
 * Review 14 (7): the change workflow's wait for its row workflow's ticket is bounded by the park timeout (short
 * here), then the change fails and the operators are told, as other inbound failures.
 */
const TRIGGER = 'incident_review14_bound';
const PARK_TIMEOUT_MS = 5_000;
const notifier = new RecordingNotifier();
let stack: InboundStack;
beforeAll(async () => {
  stack = await startInboundStack({ trigger: TRIGGER, notifier, policy: { parkTimeoutMs: PARK_TIMEOUT_MS } });
}, 120_000);
afterAll(async () => stack?.close());

test('a change whose row workflow never holds a ticket waits the park timeout, then fails and is reported', async () => {
  const id = 430;
  // The row's creates never answer nor commit: its workflow parks, open and without a ticket.
  stack.sim.setFaults({
    delayedCommit: { count: 10, commitAfterMs: 600_000, answer: 'never' },
    scope: { correlationIdPrefix: `${TRIGGER}:` },
  });
  await stack.db.query("INSERT INTO public.incident_request (id, title, status) VALUES ($1, 'b', 'open')", [id]);
  const row = (await stack.db.query('SELECT * FROM public.incident_request WHERE id = $1', [id])).rows[0];
  const body = hasuraEventBody({ trigger: TRIGGER, op: 'INSERT', id: randomUUID(), old: null, new: row });
  await deliverLikeHasura(body, { url: `${stack.apiUrl}/hasura/events`, secret: HASURA_SECRET });
  const rowHandle = stack.temporal.client.workflow.getHandle(`row-${TRIGGER}-public.incident_request-${id}`);
  const parked = async () => {
    const status = await rowHandle.query<{ state: string }>('status').catch(() => undefined);
    return status?.state === 'waiting-for-operator' || undefined;
  };
  await eventually(parked, { what: 'the row create parked', timeoutMs: 40_000 });
  stack.sim.setFaults({});
  const planted = await plantedIncident(stack, rowTicketKey(TRIGGER, 'public.incident_request', id), { state: '2' });
  const starter = createServiceNowChangeStarter({ client: stack.temporal.client, taskQueue: stack.taskQueue });
  const startedAt = Date.now();
  const { workflowId } = await starter.start({
    table: 'incident',
    sysId: planted.sys_id,
    modCount: Number(planted.sys_mod_count),
  });
  await expect(stack.temporal.client.workflow.getHandle(workflowId).result()).rejects.toBeInstanceOf(
    WorkflowFailedError,
  );
  const waitedMs = Date.now() - startedAt;
  expect(waitedMs).toBeGreaterThanOrEqual(PARK_TIMEOUT_MS);
  expect(waitedMs).toBeLessThan(PARK_TIMEOUT_MS + 15_000);
  const { report } = await eventually(() => notifier.sent.find((s) => s.report.workflowId === workflowId), {
    what: 'the failure notification',
  });
  expect(report).toMatchObject({ outcome: 'failed', lastError: { type: 'RowTicketNotYetKnownError' } });
  const history = await stack.temporal.client.workflow.getHandle(workflowId).fetchHistory();
  const timers = history.events?.filter((event) => event.timerStartedEventAttributes).length ?? 0;
  // FAST_TEST_POLICY's 100 ms timers (no backoff): many questions, each answered "wait", none ignored.
  expect(timers).toBeGreaterThan(3);
  expect(await stack.db.query('SELECT status FROM public.incident_request WHERE id = $1', [id])).toMatchObject({
    rows: [{ status: 'open' }],
  });
}, 90_000);
