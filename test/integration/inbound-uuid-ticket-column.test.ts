import { WorkflowNotFoundError } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Client } from 'pg';
import { createInboundActivities } from '../../src/activities/inbound';
import { Secret } from '../../src/common/secret';
import type { InboundDecision } from '../../src/contract';
import { loadBridgeConfig } from '../../src/settings/file/load';
import { DEFAULT_POLICY } from '../../src/contract';
import { createPostgresRowWriter } from '../../src/source/postgres-writer';
import type { RowWriter } from '../../src/source/row-writer';
import { configDir } from '../fixtures/config/write-config';
import { CORRELATION_ENV, rowTicketKey } from '../helpers/correlation';
import { boundInboundYaml } from '../helpers/inbound-yaml';
import { startPostgres, type Postgres } from '../helpers/postgres';

/*
 * Issue 14 review (3): a `uuid` ticket column takes a 32-hex sys_id on write-back but reads back with dashes
 * (`01234567-89ab-...`). The inbound check compared the text it read with the sys_id, so every change of such a
 * row was ignored, though the write's own condition (`"col" = $n`, cast to uuid) holds.
 */
const files = configDir();
const YAML = boundInboundYaml(['uuid_orders', 'text_orders'].map((name) => ({ name, table: `public.${name}` })));
const SYS_ID = '0123456789abcdef0123456789abcdef';
let pg: Postgres;
let db: Client;
let writer: RowWriter;

beforeAll(async () => {
  pg = await startPostgres();
  db = new Client({ connectionString: pg.url() });
  await db.connect();
  await db.query('CREATE TABLE public.uuid_orders (id int PRIMARY KEY, status text, ticket_sys_id uuid)');
  await db.query("INSERT INTO public.uuid_orders (id, status) VALUES (1, 'open')");
  await db.query('CREATE TABLE public.text_orders (id int PRIMARY KEY, status text, ticket_sys_id text)');
  await db.query("INSERT INTO public.text_orders (id, status) VALUES (1, 'open')");
  writer = createPostgresRowWriter({ url: new Secret(pg.url()), timeoutMs: 3_000 });
}, 60_000);
afterAll(async () => {
  await writer?.close();
  await db?.end();
  await pg?.stop();
  files.remove();
});

test.each([
  // The write-back as the row workflow makes it: the sys_id as ServiceNow gives it, 32 hex digits.
  ['a uuid (reads back with dashes)', 'uuid_orders', SYS_ID],
  // Second review: the check compared spellings loosely while the write's condition was `=`: 0 rows, dropped.
  ['text holding another spelling (edited by hand)', 'text_orders', SYS_ID.toUpperCase()],
])(
  'when the ticket column is %s, then an agent change of the row ticket is written to the row',
  async (_kind, name, held) => {
    const TABLE = { schema: 'public', name };
    await writer.write({ table: TABLE, key: { id: '1' }, values: { ticket_sys_id: held } });
    const config = loadBridgeConfig({ env: { P: 'p', ...CORRELATION_ENV }, path: files.write('c.yaml', YAML) });
    const sn = {
      readRecord: async () => ({
        ...{ sys_id: SYS_ID, number: 'INC1', sys_mod_count: 3, state: '6', sys_updated_by: 'ann.agent' },
        correlation_id: rowTicketKey(name, `public.${name}`, 1),
      }),
    };
    // Past Temporal's retention: the row's ticket column alone confirms the claim.
    const gone = async () => {
      throw new WorkflowNotFoundError('gone', 'row', undefined);
    };
    const client = { workflow: { getHandle: () => ({ describe: gone }) } };
    const activities = createInboundActivities({
      targets: { sn },
      config,
      writers: { postgres: writer },
      client,
    } as never);
    // The attempt timeout the workflow gives; the mock's default (1 s) would bound the UPDATE to 1 ms.
    const env = new MockActivityEnvironment({ startToCloseTimeoutMs: DEFAULT_POLICY.attemptTimeoutMs });
    const change = { table: 'incident', sysId: SYS_ID, modCount: 3 };
    const decision: InboundDecision = await env.run(activities.readServiceNowChange, change);
    expect(decision).toMatchObject({ kind: 'write' });
    if (decision.kind !== 'write') return;
    expect(await env.run(activities.writeInboundRow, decision.write)).toMatchObject({ rows: 1, changed: 1 });
    const { rows } = await db.query(`SELECT status FROM public.${name} WHERE id = 1`);
    expect(rows[0].status).toBe('6');
  },
);
