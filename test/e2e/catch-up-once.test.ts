import type { Pool } from 'pg';
import { workflowIdFor } from '../../src/contract';
import { loadBridgeRouting } from '../../src/settings/file/load';
import { catchUp } from '../../src/source/catch-up';
import { createEventRouter, type EventRouter } from '../../src/starting/event-routing';
import { createEventStarter, type EventStarter } from '../../src/starting/event-starter';
import { configDir } from '../fixtures/config/write-config';
import { CORRELATION_ENV, CORRELATION_YAML } from '../helpers/correlation';
import { sourceDatabase, type SourceDatabase } from '../helpers/hasura-catalog';
import { startPostgres, testPool, type Postgres } from '../helpers/postgres';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';

/*
 * Catch-up delivers each given-up event at most once (review s7b): its own mark table in the source
 * database, incident_bridge.caught_up_events, written after a delivery returned. Deliveries are counted by
 * what the real starter received, since a row event's `started` count cannot tell a redelivery.
 */
const TRIGGER = 'catch_up_once_trigger';
const MARKS = 'incident_bridge.caught_up_events';
let pg: Postgres;
let temporal: TestTemporal;
const opened: { db: SourceDatabase; pool: Pool }[] = [];

beforeAll(async () => {
  pg = await startPostgres();
  temporal = await connectTestTemporal();
}, 60_000);
afterAll(async () => {
  for (const { db, pool } of opened) await Promise.all([pool.end(), db.close()]);
  await pg?.stop();
  await temporal?.close();
});

/** A fresh source database (no mark table yet) with one given-up event per row id; `url` as `user`. */
async function givenUp(name: string, ids: string[], user?: string) {
  const db = await sourceDatabase(pg, name, [TRIGGER]);
  const url = user ? db.url.replace(`//${pg.user}@`, `//${user}@`) : db.url;
  const pool = testPool(url);
  opened.push({ db, pool });
  for (const id of ids) await db.client.query("INSERT INTO public.incident_request (id, title) VALUES ($1, 'x')", [id]);
  const { rows } = await db.client.query('UPDATE hdb_catalog.event_log SET error = true, tries = 6 RETURNING id');
  return { db, pool, eventIds: rows.map((row: { id: string }) => row.id) };
}

/** The real starter (no worker: the workflows only need to exist), recording every event it is handed. */
function recordingStarter(router?: EventRouter): { starter: EventStarter; received: string[]; workflows: string[] } {
  const real = createEventStarter({
    client: temporal.client,
    taskQueue: uniqueTaskQueue('catch-up-once'),
    router,
    runningIsDuplicate: true,
  });
  const received: string[] = [];
  const workflows: string[] = [];
  const starter: EventStarter = {
    start: async (body) => {
      received.push(body.id);
      const result = await real.start(body);
      workflows.push(result.workflowId);
      return result;
    },
    ping: () => real.ping(),
  };
  return { starter, received, workflows };
}

const tableExists = async (db: SourceDatabase) =>
  (await db.client.query(`SELECT to_regclass('${MARKS}') IS NOT NULL AS present`)).rows[0].present as boolean;

test('when catch-up sweeps twice, then the second sweep delivers nothing: the given-up event was caught up', async () => {
  const { pool, eventIds } = await givenUp('once', ['1']);
  const first = recordingStarter();
  const second = recordingStarter();

  await catchUp({ pool, starter: first.starter, triggers: [TRIGGER] });
  const counts = await catchUp({ pool, starter: second.starter, triggers: [TRIGGER] });

  expect(first.received).toEqual(eventIds);
  expect(second.received).toEqual([]);
  expect(counts).toMatchObject({ found: 0, started: 0, alreadyKnown: 0 });
  await expect(
    temporal.client.workflow.getHandle(workflowIdFor(TRIGGER, eventIds[0])).describe(),
  ).resolves.toBeTruthy();
});

test('when a row event was given up, then two sweeps signal its row workflow once', async () => {
  const files = configDir();
  const lifecycle = `triggers:\n  ${TRIGGER}:\n    row_key: [id]\n    lifecycle: { enabled: true }\n`;
  const config = files.write('row.yaml', lifecycle + CORRELATION_YAML);
  const router = createEventRouter(loadBridgeRouting({ BRIDGE_CONFIG: config, ...CORRELATION_ENV }));
  files.remove();
  const { pool } = await givenUp('row', ['77']);
  const first = recordingStarter(router);

  await catchUp({ pool, starter: first.starter, triggers: [TRIGGER] });
  await catchUp({ pool, starter: recordingStarter(router).starter, triggers: [TRIGGER] });

  expect(first.workflows).toHaveLength(1);
  const history = await temporal.client.workflow.getHandle(first.workflows[0]).fetchHistory();
  const signals = history.events!.filter((event) => event.workflowExecutionSignaledEventAttributes);
  expect(signals).toHaveLength(1); // what Temporal received; the starter's `started` counts every signal
});

test('when only a dry run has swept, then the mark table does not exist and a later sweep still delivers', async () => {
  const { db, pool, eventIds } = await givenUp('dry', ['1', '2']);
  const { starter, received } = recordingStarter();

  const dry = await catchUp({ pool, starter, triggers: [TRIGGER], dryRun: true });
  const existedAfterDryRun = await tableExists(db);
  const sweep = await catchUp({ pool, starter, triggers: [TRIGGER] });
  const dryAfter = await catchUp({ pool, starter, triggers: [TRIGGER], dryRun: true });

  expect(dry).toMatchObject({ found: 2, wouldStart: 2 });
  expect(existedAfterDryRun).toBe(false);
  expect(sweep).toMatchObject({ found: 2, started: 2 });
  expect(received.sort()).toEqual([...eventIds].sort());
  expect(dryAfter).toMatchObject({ found: 0, wouldStart: 0 });
});

test('when an operator deletes an event from the mark table, then the next sweep delivers it again, and only it', async () => {
  const { db, pool, eventIds } = await givenUp('again', ['1', '2']);
  await catchUp({ pool, starter: recordingStarter().starter, triggers: [TRIGGER] });
  await db.client.query(`DELETE FROM ${MARKS} WHERE event_id = $1`, [eventIds[0]]);
  const { starter, received } = recordingStarter();

  const counts = await catchUp({ pool, starter, triggers: [TRIGGER] });

  expect(received).toEqual([eventIds[0]]);
  expect(counts).toMatchObject({ found: 1, alreadyKnown: 1 });
});

test('when a sweep skips one event, delivers the next and fails on the third, then only the delivered one is marked', async () => {
  const { db, pool } = await givenUp('partial', ['1', '2', '3']);
  const real = recordingStarter();
  const received: string[] = [];
  const partial: EventStarter = {
    start: async (body) => {
      received.push(body.id);
      if (received.length === 1) return { workflowId: 'w', duplicate: false, ignored: 'not handled' };
      if (received.length === 2) return real.starter.start(body);
      throw new Error('Temporal went away');
    },
    ping: async () => undefined,
  };

  await expect(catchUp({ pool, starter: partial, triggers: [TRIGGER] })).rejects.toThrow('Temporal went away');
  const next = await catchUp({ pool, starter: recordingStarter().starter, triggers: [TRIGGER], dryRun: true });

  expect((await db.client.query(`SELECT event_id FROM ${MARKS}`)).rows).toEqual([{ event_id: received[1] }]);
  expect(next).toMatchObject({ found: 2, wouldStart: 2 }); // the skipped and the failed one are read again
});

test('when two sweeps run at once on a database without the mark table, then both succeed and the event is marked', async () => {
  const { db, pool, eventIds } = await givenUp('concurrent', ['1']);
  const other = testPool(db.url);
  const both = await Promise.all([
    catchUp({ pool, starter: recordingStarter().starter, triggers: [TRIGGER] }),
    catchUp({ pool: other, starter: recordingStarter().starter, triggers: [TRIGGER] }),
  ]).finally(() => other.end());

  expect(both.map((counts) => counts.started + counts.alreadyKnown).reduce((a, b) => a + b)).toBeGreaterThanOrEqual(1);
  expect((await db.client.query(`SELECT event_id FROM ${MARKS}`)).rows).toEqual([{ event_id: eventIds[0] }]);
});

test.each([
  ['cannot create the table', 'no_create', '', /GRANT CREATE ON DATABASE/],
  ['may only read the table', 'read_only', 'SELECT', /GRANT SELECT, INSERT ON incident_bridge\.caught_up_events/],
])(
  'when the role %s, then the sweep fails naming source.postgres.url, the table and the grant, before delivering',
  async (_case, name, tableGrant, grant) => {
    const role = `catchup_${name}`;
    const { db, pool } = await givenUp(name, ['1'], role);
    await db.client.query(`CREATE ROLE ${role} LOGIN`);
    await db.client.query(
      `GRANT USAGE ON SCHEMA hdb_catalog TO ${role}; GRANT SELECT ON hdb_catalog.event_log TO ${role}`,
    );
    if (tableGrant) {
      await db.client.query(
        `CREATE SCHEMA incident_bridge; CREATE TABLE ${MARKS} (event_id text PRIMARY KEY, trigger_name text NOT NULL, delivered_at timestamptz NOT NULL DEFAULT now())`,
      );
      await db.client.query(
        `GRANT USAGE ON SCHEMA incident_bridge TO ${role}; GRANT ${tableGrant} ON ${MARKS} TO ${role}`,
      );
    }
    const { starter, received } = recordingStarter();

    const failure = catchUp({ pool, starter, triggers: [TRIGGER] });

    await expect(failure).rejects.toThrow(/source\.postgres\.url/);
    await expect(failure).rejects.toThrow(MARKS);
    await expect(failure).rejects.toThrow(grant);
    expect(received).toEqual([]);
  },
);

// Review s8: a standby URL or a read-only role delivered, failed to mark, and re-sent the first page every sweep.
test('when the session is read-only, then the sweep fails naming source.postgres.url before delivering', async () => {
  const role = 'catchup_readonly_session';
  const { db, pool } = await givenUp('readonly_session', ['1'], role);
  await db.client.query(`CREATE ROLE ${role} LOGIN`);
  await db.client.query(
    `GRANT USAGE ON SCHEMA hdb_catalog TO ${role}; GRANT SELECT ON hdb_catalog.event_log TO ${role}`,
  );
  await db.client.query(
    `CREATE SCHEMA incident_bridge; CREATE TABLE ${MARKS} (event_id text PRIMARY KEY, trigger_name text NOT NULL, delivered_at timestamptz NOT NULL DEFAULT now())`,
  );
  await db.client.query(
    `GRANT USAGE ON SCHEMA incident_bridge TO ${role}; GRANT SELECT, INSERT ON ${MARKS} TO ${role}`,
  );
  await db.client.query(`ALTER ROLE ${role} SET default_transaction_read_only = on`);
  const { starter, received } = recordingStarter();

  const failure = catchUp({ pool, starter, triggers: [TRIGGER] });

  await expect(failure).rejects.toThrow(/source\.postgres\.url/);
  await expect(failure).rejects.toThrow(/read-only/);
  expect(received).toEqual([]);
});
