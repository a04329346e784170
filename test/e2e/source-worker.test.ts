import type { Pool } from 'pg';
import { CATCH_UP_SCHEDULE_ID, correlationIdFor, workflowIdFor } from '../../src/contract';
import { backfillTaskQueue } from '../../src/config/source';
import { backfill } from '../../src/source/backfill';
import { backfillEventId } from '../../src/source/backfill-event';
import { createEventStarter } from '../../src/starting/event-starter';
import { configDir } from '../fixtures/config/write-config';
import { deliverLikeHasura, hasuraEventBody } from '../helpers/hasura';
import { sourceDatabase, type SourceDatabase } from '../helpers/hasura-catalog';
import { startPostgres, testPool, type Postgres } from '../helpers/postgres';
import { eventually, startStack, TEST_SECRET, type Stack } from '../helpers/stack';
import { connectTestTemporal, type TestTemporal } from '../helpers/temporal';

/*
 * The worker's side: the catch-up Schedule sweeps on its own and the backfill lane runs backfill events to
 * tickets beside live ones. Prints live events' latency with a backfill running against without (a ratio in
 * one process; no assertion on time, see `npm run bench` for speed).
 */
const TRIGGER = 'create_servicenow_incident';
const TABLE = { schema: 'public', name: 'incident_request' };
const BACKFILL_ROWS = 40;
const files = configDir();
let pg: Postgres;
let db: SourceDatabase;
let pool: Pool;
let stack: Stack;
let temporal: TestTemporal;

beforeAll(async () => {
  pg = await startPostgres();
  db = await sourceDatabase(pg, 'app', [TRIGGER]);
  pool = testPool(db.url);
  const config = files.write(
    'bridge.yaml',
    `source:\n  postgres:\n    url: { env: SOURCE_DATABASE_URL }\ntriggers:\n  ${TRIGGER}: {}\n`,
  );
  const env = { BRIDGE_CONFIG: config, SOURCE_DATABASE_URL: db.url, CATCH_UP_INTERVAL: '10s' };
  stack = await startStack({ env: { ...env, BACKFILL_RATE_LIMIT_PER_SECOND: '20' } });
  temporal = await connectTestTemporal();
}, 120_000);
afterAll(async () => {
  await temporal?.client.schedule
    .getHandle(CATCH_UP_SCHEDULE_ID)
    .delete()
    .catch(() => undefined);
  await stack?.close();
  await temporal?.close();
  await pool?.end();
  await db?.close();
  await pg?.stop();
  files.remove();
});

test('when CATCH_UP_INTERVAL is set and Hasura gave an event up, then the Schedule starts it and its ticket is made once', async () => {
  await db.client.query("INSERT INTO public.incident_request (id, title) VALUES (1, 'given up')");
  const { rows } = await db.client.query('UPDATE hdb_catalog.event_log SET error = true, tries = 6 RETURNING id');
  const correlationId = correlationIdFor(TRIGGER, rows[0].id);

  await eventually(() => (stack.simulator.countByCorrelation(correlationId) === 1 ? true : undefined), {
    what: 'the incident of the given-up event',
    timeoutMs: 60_000,
  });

  const schedule = await temporal.client.schedule.getHandle(CATCH_UP_SCHEDULE_ID).describe();
  expect(schedule.spec.intervals).toMatchObject([{ every: 10_000 }]);
  expect(schedule.action).toMatchObject({ workflowType: 'catchUpWorkflow', taskQueue: stack.taskQueue });
  expect(stack.simulator.countByCorrelation(correlationId)).toBe(1);
}, 90_000);

/** Seconds from the POST until the event's workflow has its ticket, one event after another. */
async function liveLatencies(count: number): Promise<number[]> {
  const seconds: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const body = hasuraEventBody({ new: { id: 10_000 + Math.floor(Math.random() * 1e6), title: 'live' } });
    const started = performance.now();
    await deliverLikeHasura(body, { url: stack.webhookUrl, secret: TEST_SECRET });
    await temporal.client.workflow.getHandle(workflowIdFor(TRIGGER, String(body.id))).result();
    seconds.push((performance.now() - started) / 1000);
  }
  return seconds;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

test('when a backfill runs beside live events, then every row gets one ticket on the backfill queue and live events go on', async () => {
  for (let id = 100; id < 100 + BACKFILL_ROWS; id += 1) {
    await db.client.query('INSERT INTO public.incident_request (id, title) VALUES ($1, $2)', [id, `old row ${id}`]);
  }
  const baseline = await liveLatencies(5);
  const starter = createEventStarter({
    client: temporal.client,
    taskQueue: backfillTaskQueue(stack.taskQueue),
    runningIsDuplicate: true,
  });
  const state = { load: () => undefined, save: () => undefined };
  const where = 'id >= 100';
  const running = backfill({ pool, starter, trigger: TRIGGER, table: TABLE, where, state });
  const during = await liveLatencies(5);
  const counts = await running;

  expect(counts).toMatchObject({ rows: BACKFILL_ROWS, started: BACKFILL_ROWS });
  for (let id = 100; id < 100 + BACKFILL_ROWS; id += 1) {
    const eventId = backfillEventId(TRIGGER, TABLE, String(id));
    const handle = temporal.client.workflow.getHandle(workflowIdFor(TRIGGER, eventId));
    await handle.result();
    expect((await handle.describe()).taskQueue).toBe(backfillTaskQueue(stack.taskQueue));
    expect(stack.simulator.countByCorrelation(correlationIdFor(TRIGGER, eventId))).toBe(1);
  }
  const ratio = median(during) / median(baseline);
  console.log(
    `live event latency, median of 5: ${median(baseline).toFixed(3)} s alone, ${median(during).toFixed(3)} s ` +
      `beside a ${BACKFILL_ROWS}-row backfill (ratio ${ratio.toFixed(2)})`,
  );
}, 120_000);
