import { exec } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { workflowIdFor, type EventWorkflowInput } from '../../src/contract';
import { backfillEventId } from '../../src/source/backfill-event';
import { freePort } from '../../dev/temporal/dev-server';
import { transpileSources } from '../fixtures/config/transpile';
import { configDir } from '../fixtures/config/write-config';
import { sourceDatabase, type SourceDatabase } from '../helpers/hasura-catalog';
import { startPostgres, type Postgres } from '../helpers/postgres';
import { readmeCommands } from '../helpers/readme';
import { connectTestTemporal, testTemporalAddress, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';

const ROOT = join(__dirname, '../..');
const TRIGGER = 'create_servicenow_incident';
const TABLE = { schema: 'public', name: 'incident_request' };
const BIG = '9007199254740993';
const files = configDir();
const CONFIG = files.write(
  'bridge.yaml',
  `source:\n  postgres:\n    url: { env: SOURCE_DATABASE_URL }\ntriggers:\n  ${TRIGGER}: {}\n`,
);
let pg: Postgres;
let db: SourceDatabase;
let temporal: TestTemporal;
let dist: string;
let work: string;
const taskQueue = uniqueTaskQueue('source-cli'); // no worker: the workflows only need to exist

beforeAll(async () => {
  dist = transpileSources(ROOT);
  work = mkdtempSync(join(tmpdir(), 'source-cli-'));
  pg = await startPostgres();
  db = await sourceDatabase(pg, 'app', [TRIGGER]);
  const ids = [...Array.from({ length: 11 }, (_, i) => String(i + 1)), BIG];
  for (const id of ids) {
    const status = BigInt(id) % 2n === 1n ? 'open' : 'closed'; // BIG is odd: open
    await db.client.query('INSERT INTO public.incident_request (id, title, status) VALUES ($1, $2, $3)', [
      id,
      `row ${id}`,
      status,
    ]);
  }
  temporal = await connectTestTemporal();
}, 60_000);
afterAll(async () => {
  await db?.close();
  await pg?.stop();
  await temporal?.close();
  files.remove();
  rmSync(dist, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A README line as the shell runs it, `npm run <tool> --` standing for the built entry point. */
function run(command: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const line = command.replace(/^npm run (catch-up|backfill) --/, (_, tool) => `node ${dist}/cli/${tool}-main.js`);
  const childEnv = {
    PATH: process.env.PATH,
    NODE_PATH: join(ROOT, 'node_modules'),
    BRIDGE_CONFIG: CONFIG,
    SOURCE_DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: testTemporalAddress(),
    TEMPORAL_TASK_QUEUE: taskQueue,
    SERVICENOW_INSTANCE_URL: 'https://unused.service-now.com',
    SERVICENOW_USERNAME: 'u',
    SERVICENOW_PASSWORD: 'p',
    ...env,
  };
  return new Promise((resolve) => {
    exec(line, { cwd: work, env: childEnv, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

const rowWorkflowId = (id: string) => workflowIdFor(TRIGGER, backfillEventId(TRIGGER, TABLE, id));
const exists = (workflowId: string) =>
  temporal.client.workflow
    .getHandle(workflowId)
    .describe()
    .then(
      () => true,
      () => false,
    );
const rowIds = async (where: string) =>
  (await db.client.query(`SELECT id::text FROM public.incident_request WHERE ${where} ORDER BY id`)).rows.map(
    (row: { id: string }) => row.id,
  );

test('when the README backfill commands run (dry run, a batch of open rows, resume), then each open row has its one workflow and nothing else started', async () => {
  const [dryRun, batch, resume] = readmeCommands('### Backfill');
  const open = await rowIds("status = 'open'");
  const closed = await rowIds("status <> 'open'");

  const dry = await run(dryRun);
  expect(dry).toMatchObject({ code: 0 });
  expect(dry.stdout).toContain(`would start ${open.length + closed.length}`);
  for (const id of [...open, ...closed]) expect(await exists(rowWorkflowId(id))).toBe(false);

  const first = await run(batch);
  expect(first.stdout).toContain('started 5,');
  expect(first.stderr).toMatch(/rows\/s, ETA/); // no TTY: plain progress lines
  const rest = await run(resume);
  expect(rest.stdout).toContain(`started ${open.length - 5},`);

  for (const id of open) expect(await exists(rowWorkflowId(id))).toBe(true);
  for (const id of closed) expect(await exists(rowWorkflowId(id))).toBe(false);
  const history = await temporal.client.workflow.getHandle(rowWorkflowId(BIG)).fetchHistory();
  const input: EventWorkflowInput = defaultPayloadConverter.fromPayload(
    history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0],
  );
  expect(input.event).toMatchObject({ op: 'MANUAL', data: { old: null, new: { id: BIG, status: 'open' } } });
  // Backfill creates run where the ticket rate and the backfill rate both hold.
  expect(input.createQueue).toBe('ticketing');
});

test('when the whole table is backfilled twice, then every row has one workflow and the second run starts nothing', async () => {
  const command = `npm run backfill -- --trigger ${TRIGGER} --table public.incident_request --json`;
  const all = await rowIds('true');

  const first = JSON.parse((await run(command)).stdout);
  const second = JSON.parse((await run(command)).stdout);

  expect(first.rows).toBe(all.length);
  expect(first.started + first.alreadyKnown).toBe(all.length);
  expect(second).toMatchObject({ rows: all.length, started: 0, alreadyKnown: all.length });
});

test('when --where tries to write, then the read-only transaction refuses it and nothing starts', async () => {
  await db.client.query('CREATE SEQUENCE IF NOT EXISTS probe');
  const where = `--where "nextval('probe') > 0"`;
  const result = await run(`npm run backfill -- --trigger other --table public.incident_request ${where}`);

  expect(result.code).toBe(1);
  expect(result.stderr).toContain('read-only transaction');
  expect((await db.client.query('SELECT last_value, is_called FROM probe')).rows[0].is_called).toBe(false);
});

test('when the README catch-up commands run, then they report the given-up events and start them once', async () => {
  const [dryRun, sweep] = readmeCommands('### Catch-up');
  const { rows } = await db.client.query(
    "UPDATE hdb_catalog.event_log SET error = true, tries = 6 WHERE payload->'data'->'new'->>'id' IN ('1', '2') RETURNING id",
  );
  const before = await db.catalogSnapshot();

  const dry = await run(dryRun);
  const first = JSON.parse((await run(sweep)).stdout);
  const second = JSON.parse((await run(sweep)).stdout);

  expect(dry.stdout).toContain('2 given-up events not caught up before; would start 2');
  expect(first).toMatchObject({ found: 2, started: 2, alreadyKnown: 0, skipped: 0 });
  expect(second).toMatchObject({ found: 0, started: 0, alreadyKnown: 0 }); // caught up: not read again
  for (const row of rows) expect(await exists(workflowIdFor(TRIGGER, row.id))).toBe(true);
  expect(await db.catalogSnapshot()).toBe(before);
});

test('when the source database is down, then both tools exit 3 naming source.postgres.url, and nothing starts', async () => {
  const down = { SOURCE_DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/app` };
  const results = [
    await run(`npm run catch-up -- --trigger ${TRIGGER}`, down),
    await run(`npm run backfill -- --trigger ${TRIGGER} --table public.no_such_table_either`, down),
  ];
  for (const result of results) {
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('cannot read the source database (source.postgres.url)');
    expect(result.stderr).not.toContain(db.url);
  }
});

test('when Temporal is down, then catch-up exits 3 and loses nothing: the next run starts the events', async () => {
  const { rows } = await db.client.query(
    "UPDATE hdb_catalog.event_log SET error = true, tries = 6 WHERE payload->'data'->'new'->>'id' = '3' RETURNING id",
  );
  const command = `npm run catch-up -- --trigger ${TRIGGER} --json`;

  const down = await run(command, { TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` });
  const again = JSON.parse((await run(command)).stdout);

  expect(down.code).toBe(3);
  expect(down.stderr).toMatch(/^catch-up: /);
  expect(again).toMatchObject({ started: 1 });
  expect(await exists(workflowIdFor(TRIGGER, rows[0].id))).toBe(true);
});

test("when source.postgres.url names a database without Hasura's catalog, then catch-up says so", async () => {
  await pg.createDatabase('not_hasura');
  const result = await run(`npm run catch-up -- --trigger ${TRIGGER}`, { SOURCE_DATABASE_URL: pg.url('not_hasura') });

  expect(result.code).toBe(1);
  expect(result.stderr).toContain('no hdb_catalog.event_log at source.postgres.url');
});

test.each([
  [
    'an unknown flag',
    `npm run backfill -- --trigger ${TRIGGER} --tabel public.incident_request`,
    "Unknown option '--tabel'",
  ],
  ['no table', `npm run backfill -- --trigger ${TRIGGER}`, '--table: required'],
  ['a bad table', `npm run backfill -- --trigger ${TRIGGER} --table incident_request`, '--table: expected schema.name'],
  [
    'a bad rate',
    `npm run backfill -- --trigger ${TRIGGER} --table public.t --rate fast`,
    '--rate: expected a positive',
  ],
  ['a bad --since', `npm run catch-up -- --since yesterday`, '--since: expected YYYY-MM-DD'],
  [
    'a resume with no position',
    `npm run backfill -- --trigger x --table public.t --resume`,
    '--resume: no saved position',
  ],
])('when a tool gets %s, then it exits 2 naming the flag', async (_case, command, message) => {
  const result = await run(command);

  expect(result.code).toBe(2);
  expect(result.stderr).toContain(message);
});

test('when no config file names the triggers, then catch-up asks for --trigger', async () => {
  const bare = files.write('bare.yaml', 'source:\n  postgres:\n    url: { env: SOURCE_DATABASE_URL }\n');
  const result = await run('npm run catch-up --', { BRIDGE_CONFIG: bare });

  expect(result.code).toBe(2);
  expect(result.stderr).toContain('--trigger: required, because BRIDGE_CONFIG names no triggers');
});
