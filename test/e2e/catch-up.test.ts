import { defaultPayloadConverter } from '@temporalio/common';
import type { Pool } from 'pg';
import request from 'supertest';
import { createApp } from '../../src/api/app';
import { Secret } from '../../src/common/secret';
import { workflowIdFor, type EventWorkflowInput } from '../../src/contract';
import { parseHasuraJson } from '../../src/hasura/exact-json';
import { hasuraEventSchema } from '../../src/hasura/event-schema';
import { createLogger } from '../../src/logging';
import { catchUp } from '../../src/source/catch-up';
import { readGivenUp } from '../../src/source/event-log';
import { loadBridgeRouting } from '../../src/settings/file/load';
import { createEventRouter } from '../../src/starting/event-routing';
import { createEventStarter, toWorkflowEvent } from '../../src/starting/event-starter';
import { configDir } from '../fixtures/config/write-config';
import { sourceDatabase, type SourceDatabase } from '../helpers/hasura-catalog';
import { startPostgres, testPool, type Postgres } from '../helpers/postgres';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';

const TRIGGER = 'create_servicenow_incident';
const OTHER = 'other_webhooks_trigger';
const BIG = '9007199254740993'; // 2^53 + 1: a double would read 9007199254740992
let pg: Postgres;
let db: SourceDatabase;
let pool: Pool;
let temporal: TestTemporal;

beforeAll(async () => {
  pg = await startPostgres();
  db = await sourceDatabase(pg, 'app', [TRIGGER, OTHER]);
  pool = testPool(db.url);
  temporal = await connectTestTemporal();
}, 60_000);
afterAll(async () => {
  await pool?.end();
  await db?.close();
  await pg?.stop();
  await temporal?.close();
});

/** A row insert through the table: Hasura's triggers write one catalog event per trigger. */
async function insertRow(id: string, title: string): Promise<Record<string, string>> {
  await db.client.query('INSERT INTO public.incident_request (id, title, priority) VALUES ($1, $2, $3)', [
    id,
    title,
    'high',
  ]);
  const { rows } = await db.client.query(
    "SELECT trigger_name, id FROM hdb_catalog.event_log WHERE payload->'data'->'new'->>'id' = $1",
    [id],
  );
  return Object.fromEntries(rows.map((row: { trigger_name: string; id: string }) => [row.trigger_name, row.id]));
}

/** What Hasura does when its retries are spent (or, `delivered`, when a delivery succeeded). */
const markGivenUp = (eventId: string, tries = 6) =>
  db.client.query('UPDATE hdb_catalog.event_log SET error = true, tries = $2 WHERE id = $1', [eventId, tries]);

/** The body Hasura posts for a catalog row, built here from the row's text independently of the product. */
async function hasuraBodyOf(eventId: string, maxRetries = 5): Promise<string> {
  const { rows } = await db.client.query(
    `SELECT id, trigger_name, schema_name, table_name, payload::text AS payload, tries, created_at::text AS at
     FROM hdb_catalog.event_log WHERE id = $1`,
    [eventId],
  );
  const row = rows[0];
  // aeson's LocalTime: ISO with a T, the fraction without trailing zeros, none when zero.
  const createdAt = row.at
    .replace(' ', 'T')
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '');
  return JSON.stringify({
    id: row.id,
    created_at: createdAt,
    trigger: { name: row.trigger_name },
    table: { schema: row.schema_name, name: row.table_name },
    event: '@@EVENT@@',
    delivery_info: { current_retry: row.tries, max_retries: maxRetries }, // retry_conf.num_retries: 5
  }).replace('"@@EVENT@@"', row.payload);
}

async function startedInput(eventId: string): Promise<EventWorkflowInput> {
  const history = await temporal.client.workflow.getHandle(workflowIdFor(TRIGGER, eventId)).fetchHistory();
  const payload = history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0];
  return defaultPayloadConverter.fromPayload(payload);
}

const starterOn = (taskQueue: string) =>
  createEventStarter({ client: temporal.client, taskQueue, runningIsDuplicate: true });

test('when Hasura gave events up, then catch-up starts exactly those, with the body Hasura would have sent, and leaves the catalog as it was', async () => {
  const taskQueue = uniqueTaskQueue('catch-up'); // no worker: the workflows only need to exist
  const givenUp = await insertRow(BIG, 'bigint key');
  const delivered = await insertRow('2', 'delivered');
  const pending = await insertRow('3', 'still retrying');
  await markGivenUp(givenUp[TRIGGER]);
  await markGivenUp(givenUp[OTHER]); // another webhook's trigger: not ours to start
  await db.client.query('UPDATE hdb_catalog.event_log SET delivered = true WHERE id = $1', [delivered[TRIGGER]]);
  const before = await db.catalogSnapshot();

  const counts = await catchUp({ pool, starter: starterOn(taskQueue), triggers: [TRIGGER] });

  expect(counts).toMatchObject({ found: 1, started: 1, alreadyKnown: 0, skipped: 0 });
  expect(await db.catalogSnapshot()).toBe(before);
  const [read] = await readGivenUp(pool, { triggers: [TRIGGER], limit: 10 });
  const expectedBody = await hasuraBodyOf(givenUp[TRIGGER]);
  expect(parseHasuraJson(read.body)).toEqual(parseHasuraJson(expectedBody));
  const input = await startedInput(givenUp[TRIGGER]);
  expect(input.event).toEqual(toWorkflowEvent(hasuraEventSchema.parse(parseHasuraJson(expectedBody))));
  expect(input.event.data.new).toMatchObject({ id: BIG, title: 'bigint key' });
  const notStarted = [delivered[TRIGGER], pending[TRIGGER]].map((id) => workflowIdFor(TRIGGER, id));
  for (const id of notStarted) await expect(temporal.client.workflow.getHandle(id).describe()).rejects.toThrow();
  await db.client.query('DELETE FROM public.incident_request'); // events stay in the catalog, as in Hasura
});

test('when catch-up runs twice, then the second run reads nothing; with its marks deleted, it counts the events as already known', async () => {
  const taskQueue = uniqueTaskQueue('catch-up');
  const events = [await insertRow('11', 'a'), await insertRow('12', 'b')];
  for (const event of events) await markGivenUp(event[TRIGGER]);
  const since = (await db.client.query("SELECT (now() - interval '1 minute')::timestamp::text AS t")).rows[0].t;
  const triggers = [TRIGGER];

  const dry = await catchUp({ pool, starter: starterOn(taskQueue), triggers, dryRun: true });
  const first = await catchUp({ pool, starter: starterOn(taskQueue), triggers });
  const second = await catchUp({ pool, starter: starterOn(taskQueue), triggers });
  await db.client.query('DELETE FROM incident_bridge.caught_up_events'); // README: how to deliver again
  const limited = await catchUp({ pool, starter: starterOn(taskQueue), triggers, since, limit: 1 });

  expect(dry).toMatchObject({ wouldStart: first.found, started: 0 });
  expect(first.started).toBe(2);
  expect(second).toMatchObject({ found: 0, started: 0, alreadyKnown: 0 });
  expect(limited).toMatchObject({ found: 1, started: 0, alreadyKnown: 1 });
  for (const event of events) {
    const runs = temporal.client.workflow.list({ query: `WorkflowId = "${workflowIdFor(TRIGGER, event[TRIGGER])}"` });
    let count = 0;
    for await (const _run of runs) count += 1;
    expect(count).toBeLessThanOrEqual(1); // visibility may lag; never two
  }
});

test('when the webhook got the event through but Hasura marked it failed (a timeout), then catch-up does not double it', async () => {
  const taskQueue = uniqueTaskQueue('catch-up');
  const event = await insertRow('21', 'answered too late');
  const body = await hasuraBodyOf(event[TRIGGER]);
  const webhook = {
    secrets: [new Secret('s')],
    secretHeader: 'x-webhook-secret',
    bodyLimit: '64kb',
    retryAfterSeconds: 7,
  };
  const starter = createEventStarter({ client: temporal.client, taskQueue });
  const app = createApp({ starter, logger: createLogger({ level: 'silent' }), webhook });
  const answer = await request(app)
    .post('/hasura/events')
    .set('x-webhook-secret', 's')
    .set('content-type', 'application/json')
    .send(body);
  expect(answer.status).toBe(200);
  await markGivenUp(event[TRIGGER]);
  const firstRun = (await temporal.client.workflow.getHandle(answer.body.workflowId).describe()).runId;

  const counts = await catchUp({ pool, starter: starterOn(taskQueue), triggers: [TRIGGER], limit: 1000 });

  expect(counts.started).toBe(0);
  expect(counts.alreadyKnown).toBeGreaterThanOrEqual(1);
  expect((await temporal.client.workflow.getHandle(answer.body.workflowId).describe()).runId).toBe(firstRun);
  expect((await startedInput(event[TRIGGER])).event.data.new).toMatchObject({ id: 21, title: 'answered too late' });
});

test('when the config does not handle the op of a given-up event, then catch-up skips it, says why, and starts nothing', async () => {
  const files = configDir();
  const config = files.write('ops.yaml', `triggers:\n  ${TRIGGER}:\n    ops: [INSERT]\n`);
  const router = createEventRouter(loadBridgeRouting({ BRIDGE_CONFIG: config }));
  files.remove();
  await insertRow('31', 'then updated');
  await db.client.query("UPDATE public.incident_request SET status = 'closed' WHERE id = 31");
  const { rows } = await db.client.query(
    `UPDATE hdb_catalog.event_log SET error = true, tries = 6
     WHERE trigger_name = $1 AND payload->>'op' = 'UPDATE' AND payload->'data'->'new'->>'id' = '31' RETURNING id`,
    [TRIGGER],
  );
  const taskQueue = uniqueTaskQueue('catch-up');
  const starter = createEventStarter({ client: temporal.client, taskQueue, router, runningIsDuplicate: true });

  const counts = await catchUp({ pool, starter, triggers: [TRIGGER], since: '2000-01-01' });

  expect(counts.skips).toContainEqual({ id: rows[0].id, reason: `trigger ${TRIGGER} does not handle UPDATE` });
  expect(counts.started).toBe(0);
  await expect(temporal.client.workflow.getHandle(workflowIdFor(TRIGGER, rows[0].id)).describe()).rejects.toThrow();
});
