import { WorkflowNotFoundError } from '@temporalio/client';
import { abandonSignal, statusQuery, type EventOutcome } from '../../src/contract';
import { TicketValidationError } from '../../src/ticketing/errors';
import { configDir } from '../fixtures/config/write-config';
import { startSwitchableProxy, type SwitchableProxy } from '../security/tcp-proxy';
import { BRIDGE_ROLE, listenTo, STANDIN_SECRET, startSourceDb, type SourceDb } from '../helpers/source-db';
import { eventually } from '../helpers/stack';
import { connectTestTemporal, type TestTemporal } from '../helpers/temporal';
import { WriteBackStack, type WebhookAnswer } from '../helpers/write-back-stack';
import { CORRELATION_YAML } from '../helpers/correlation';

const files = configDir();
let temporal: TestTemporal;
let db: SourceDb;
let stack: WriteBackStack;
let configPath: string;

const COLUMNS = `
        ticket_number: "{{ ticket.number }}"
        ticket_sys_id: "{{ ticket.id }}"
        ticket_state: "{{ action }}{% if ticket.closed %} (closed){% endif %}"
        ticket_synced_at: "{{ synced_at }}"
        ticket_error: ""`;

const config = (standinUrl: string) => `
source:
  postgres: { url: { env: SOURCE_DB_URL } }
  hasura: { url: "${standinUrl}", admin_secret: { env: HASURA_SECRET }, role: ${BRIDGE_ROLE} }
${CORRELATION_YAML}defaults:
  row_key: [id]
  fields: { short_description: "{{ row.title }}" }
  resolve_fields: { close_code: Solved, close_notes: "row deleted" }
triggers:
  single_pg:
    writeback:
      via: postgres
      columns:${COLUMNS}
      error_columns:
        ticket_error: "{{ error.type }}: {{ error.message }} ({{ attempts }} attempts)"
  lifecycle_hasura:
    lifecycle: { enabled: true, reorder_window: 200ms }
    writeback:
      via: hasura
      columns:${COLUMNS}
`;

/** Row ids past 2^53 that no earlier run used (row workflows outlive a run on the shared dev server). */
let nextId = 9007199254740993n + BigInt(Math.floor(Math.random() * 1e9)) * 1000n;
const freshId = () => String((nextId += 1n));

const rowOf = async (id: string) =>
  (await db.client.query('SELECT * FROM incident_request WHERE id = $1', [id])).rows[0] as Record<string, unknown>;
const accepted = (answers: WebhookAnswer[]) => answers.map((answer) => answer.body.workflowId!);
const outcomeOf = (workflowId: string): Promise<EventOutcome> =>
  temporal.client.workflow.getHandle(workflowId).result();
const neverStarted = async (workflowId: string) =>
  temporal.client.workflow
    .getHandle(workflowId)
    .describe()
    .then(
      () => false,
      (error: unknown) => error instanceof WorkflowNotFoundError,
    );

beforeAll(async () => {
  temporal = await connectTestTemporal();
  db = await startSourceDb();
  configPath = files.write('bridge.yaml', config(db.standin.url));
  const env = { SOURCE_DB_URL: db.url, HASURA_SECRET: STANDIN_SECRET };
  stack = await new WriteBackStack(temporal, db, { configPath, env }).start();
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  await db?.close();
  await temporal?.close();
  files.remove();
});
afterEach(() => listenTo(db.client, ['title', 'priority', 'status']));

test('when a single-ticket trigger creates via postgres, then the row gets the ticket and the echo starts nothing', async () => {
  await listenTo(db.client, '*');
  const id = freshId();
  await db.client.query('INSERT INTO incident_request (id, title) VALUES ($1, $2)', [id, 'Disk full']);
  const [workflowId] = accepted(await stack.deliver('single_pg'));
  const outcome = await outcomeOf(workflowId);

  expect(outcome).toMatchObject({ status: 'created', writeBack: { status: 'written', action: 'created', rows: 1 } });
  const ticket = stack.target.tickets.find((t) => t.fields.short_description === 'Disk full')!;
  const row = await rowOf(id);
  expect(row).toMatchObject({ ticket_number: ticket.number, ticket_sys_id: ticket.id, ticket_state: 'created' });
  expect(row.ticket_error).toBeNull();
  expect(row.ticket_synced_at).toBeInstanceOf(Date);

  // The write-back's own UPDATE (plain SQL: no session variables) as Hasura would deliver it.
  const calls = stack.target.calls.length;
  const [echo] = await stack.deliver('single_pg');
  expect(echo.status).toBe(200);
  expect(echo.body).toMatchObject({ accepted: true, loopGuard: 'writeback-columns' });
  expect(echo.body.ignored).toContain('ticket_number');
  expect(await neverStarted(echo.body.workflowId!)).toBe(true);
  expect(stack.target.calls.length).toBe(calls);
  const metrics = await stack.metrics.registry.metrics();
  expect(metrics).toMatch(
    /incident_bridge_events_loop_guarded_total\{trigger="single_pg",guard="writeback-columns"\} 1/,
  );
});

test('when a lifecycle trigger writes back through Hasura, then create, update and resolve land and no echo reaches the ticket', async () => {
  await listenTo(db.client, '*');
  const id = freshId();
  const callsBefore = stack.target.calls.length;
  const echoes: WebhookAnswer[] = [];
  const settle = async (state: string) => {
    await eventually(async () => ((await rowOf(id))?.ticket_state === state ? true : undefined), { what: state });
    echoes.push(...(await stack.deliver('lifecycle_hasura')));
  };
  await db.client.query('INSERT INTO incident_request (id, title) VALUES ($1, $2)', [id, 'Printer on fire']);
  const [first] = await stack.deliver('lifecycle_hasura');
  await settle('created');
  await db.client.query('UPDATE incident_request SET title = $2 WHERE id = $1', [id, 'Printer still on fire']);
  await stack.deliver('lifecycle_hasura');
  await settle('updated');

  expect(echoes.map((echo) => echo.body.loopGuard)).toEqual(['bridge-role', 'bridge-role']);
  // The webhook signalled the row's workflow: the answer names it (issue 16).
  expect(first.body).toMatchObject({ accepted: true, delivered: 'signal-with-start' });
  const rowWorkflow = temporal.client.workflow.getHandle(first.body.workflowId!);
  await db.client.query('DELETE FROM incident_request WHERE id = $1', [id]);
  await stack.deliver('lifecycle_hasura');
  const status = await eventually(async () => {
    const current = await rowWorkflow.query(statusQuery);
    return current.writeBack?.action === 'resolved' ? current : undefined;
  });
  // The row is gone: the write-back of the resolve finds nothing to mark, which is not an error.
  expect(status.writeBack).toEqual({ status: 'written', action: 'resolved', rows: 0 });
  const calls = stack.target.calls.slice(callsBefore);
  expect(calls.filter((call) => ['create', 'update', 'resolve'].includes(call))).toEqual([
    'create',
    'update',
    'resolve',
  ]);
});

test('when an event parks, then its error is written to the error columns, and no event is recorded for it', async () => {
  stack.target.createFailures = [new TicketValidationError('Invalid urgency', { status: 400 })];
  const id = freshId();
  await db.client.query('INSERT INTO incident_request (id, title) VALUES ($1, $2)', [id, 'Bad urgency']);
  const [workflowId] = accepted(await stack.deliver('single_pg'));
  const row = await eventually(async () => ((await rowOf(id)).ticket_error ? rowOf(id) : undefined));

  expect(row.ticket_error).toBe('TicketValidationError: Invalid urgency (1 attempts)');
  expect(row.ticket_number).toBeNull();
  // The sample trigger listens to title, priority and status only: Hasura records nothing for the write-back.
  expect(await stack.deliver('single_pg')).toEqual([]);
  const handle = temporal.client.workflow.getHandle(workflowId);
  expect((await handle.query(statusQuery)).writeBack).toEqual({ status: 'written', action: 'parked', rows: 1 });
  await handle.signal(abandonSignal, { reason: 'test done' });
  await expect(handle.result()).resolves.toMatchObject({ status: 'abandoned' });
});

describe('when the database is down during the write-back', () => {
  let proxy: SwitchableProxy;
  let flaky: WriteBackStack;

  beforeAll(async () => {
    proxy = await startSwitchableProxy(`${db.postgres.host}:${db.postgres.port}`);
    const env = { SOURCE_DB_URL: `postgres://postgres@${proxy.address}/app`, HASURA_SECRET: STANDIN_SECRET };
    const writeBackRetry = {
      initialIntervalMs: 200,
      backoffCoefficient: 1,
      maximumIntervalMs: 200,
      maximumAttempts: 200,
    };
    flaky = await new WriteBackStack(temporal, db, { configPath, env, policy: { writeBackRetry } }).start();
  });
  afterAll(async () => {
    await flaky?.stop();
    await proxy?.close();
  });

  test('then the write-back retries on its own, the ticket is made once, and the row gets it when the database is back', async () => {
    await flaky.skipRecorded();
    proxy.setReachable(false);
    const id = freshId();
    await db.client.query('INSERT INTO incident_request (id, title) VALUES ($1, $2)', [id, 'Down meanwhile']);
    const [workflowId] = accepted(await flaky.deliver('single_pg'));
    const handle = temporal.client.workflow.getHandle(workflowId);
    await eventually(async () => {
      const pending = (await handle.describe()).raw.pendingActivities ?? [];
      const writeBack = pending.find((activity) => activity.activityType?.name === 'writeBackRow');
      return (writeBack?.attempt ?? 0) >= 3 ? true : undefined;
    });
    expect(flaky.target.calls).toEqual(['create']);

    proxy.setReachable(true);
    const outcome = await outcomeOf(workflowId);
    expect(outcome).toMatchObject({ status: 'created', writeBack: { status: 'written', rows: 1 } });
    expect(flaky.target.calls).toEqual(['create']);
    expect((await rowOf(id)).ticket_number).toBe(flaky.target.tickets[0].number);
  });
});
