import { Secret } from '../../src/common/secret';
import { WriteBackError } from '../../src/source/errors';
import { createHasuraRowWriter } from '../../src/source/hasura-writer';
import { createPostgresRowWriter } from '../../src/source/postgres-writer';
import type { RowWriter } from '../../src/source/row-writer';
import { freePort } from '../../dev/temporal/dev-server';
import { BRIDGE_ROLE, listenTo, STANDIN_SECRET, startSourceDb, type SourceDb } from '../helpers/source-db';

const TABLE = { schema: 'public', name: 'incident_request' };
const BEYOND_2_53 = '9007199254740993'; // 2^53 + 1: a double reads it as ...992
let db: SourceDb;
const writers: RowWriter[] = [];
const hasuraWriter = (options: { secret?: string; role?: string } = {}) => {
  const writer = createHasuraRowWriter({
    url: db.standin.url,
    adminSecret: new Secret(options.secret ?? STANDIN_SECRET),
    role: options.role ?? BRIDGE_ROLE,
  });
  writers.push(writer);
  return writer;
};
const postgresWriter = (url = db.url) => {
  const writer = createPostgresRowWriter({ url: new Secret(url), timeoutMs: 3_000 });
  writers.push(writer);
  return writer;
};
const failureOf = (work: Promise<unknown>) =>
  work.then(
    () => undefined,
    (error: unknown) => error as WriteBackError,
  );

beforeAll(async () => {
  db = await startSourceDb();
  await db.client.query(`INSERT INTO public.incident_request (id, title) VALUES (${BEYOND_2_53}, 'big'), (1, 'one')`);
}, 60_000);
afterAll(async () => {
  await Promise.all(writers.map((writer) => writer.close()));
  await db?.close();
});

describe.each([
  ['postgres', () => postgresWriter()],
  ['hasura (stand-in)', () => hasuraWriter()],
])('write-back via %s', (_via, writer) => {
  test('when the key is a bigint past 2^53 given as its digits, then exactly that row is written', async () => {
    const values = { ticket_number: `INC-${_via}`, ticket_synced_at: '2026-12-02T13:00:00.000Z' };
    await expect(writer().write({ table: TABLE, key: { id: BEYOND_2_53 }, values })).resolves.toEqual({ rows: 1 });
    const { rows } = await db.client.query('SELECT id::text, ticket_number, ticket_synced_at FROM incident_request');
    expect(rows.find((row) => row.id === BEYOND_2_53)?.ticket_number).toBe(`INC-${_via}`);
    expect(rows.find((row) => row.id === '1')?.ticket_number).toBeNull();
  });

  test('when the row was deleted meanwhile, then 0 rows is the answer, not an error', async () => {
    const write = { table: TABLE, key: { id: 424242 }, values: { ticket_number: 'INC0' } };
    await expect(writer().write(write)).resolves.toEqual({ rows: 0 });
  });

  test('when a value is null, then the column is cleared', async () => {
    await writer().write({ table: TABLE, key: { id: 1 }, values: { ticket_state: 'x' } });
    await writer().write({ table: TABLE, key: { id: 1 }, values: { ticket_state: null } });
    const { rows } = await db.client.query('SELECT ticket_state FROM incident_request WHERE id = 1');
    expect(rows[0].ticket_state).toBeNull();
  });
});

describe('write-back via postgres', () => {
  test('when only changed values are to be written, then equal ones (NULL too) make no row version, and a gone row says 0', async () => {
    const version = async () =>
      (await db.client.query(`SELECT xmin::text AS v FROM incident_request WHERE id = ${BEYOND_2_53}`)).rows[0].v;
    const values = { ticket_state: 'resolved', ticket_number: null, ticket_synced_at: '2026-12-02T16:00:00.000Z' };
    const write = { table: TABLE, key: { id: BEYOND_2_53 }, values, onlyChanged: true };
    await expect(postgresWriter().write(write)).resolves.toEqual({ rows: 1, changed: 1 });
    const before = await version();
    // The same instant in another zone's notation is equal: each value is compared as its column's type.
    const same = { ...write, values: { ...values, ticket_synced_at: '2026-12-02T17:00:00+01:00' } };
    await expect(postgresWriter().write(same)).resolves.toEqual({ rows: 1, changed: 0 });
    expect(await version()).toBe(before);
    await expect(postgresWriter().write({ ...write, key: { id: 424243 } })).resolves.toEqual({ rows: 0, changed: 0 });
  });

  test('when identifiers hold quotes, dots, spaces and capitals, and the key is composite, then they are quoted', async () => {
    await db.client.query(`CREATE SCHEMA "Odd ""Schema"""`);
    await db.client.query(
      `CREATE TABLE "Odd ""Schema"""."we.ird Table" ("Tenant" text, "row id" bigint, "Ticket ""No""" text,
       PRIMARY KEY ("Tenant", "row id"))`,
    );
    await db.client.query(`INSERT INTO "Odd ""Schema"""."we.ird Table" VALUES ('a/b', 5, NULL), ('a', 5, NULL)`);
    const table = { schema: 'Odd "Schema"', name: 'we.ird Table' };
    const write = { table, key: { Tenant: 'a/b', 'row id': 5 }, values: { 'Ticket "No"': "INC'1; DROP" } };
    await expect(postgresWriter().write(write)).resolves.toEqual({ rows: 1 });
    const { rows } = await db.client.query(`SELECT * FROM "Odd ""Schema"""."we.ird Table" ORDER BY "Tenant"`);
    expect(rows).toEqual([
      { Tenant: 'a', 'row id': '5', 'Ticket "No"': null },
      { Tenant: 'a/b', 'row id': '5', 'Ticket "No"': "INC'1; DROP" },
    ]);
  });

  test('when a column does not exist, then the failure is permanent and names the SQLSTATE', async () => {
    const error = await failureOf(
      postgresWriter().write({ table: TABLE, key: { id: 1 }, values: { no_such_column: 'x' } }),
    );
    expect(error).toBeInstanceOf(WriteBackError);
    expect(error?.permanent).toBe(true);
    expect(error?.message).toContain('SQLSTATE 42703');
  });

  test('when the database is not reachable, then the failure is retryable', async () => {
    const down = `postgres://postgres@127.0.0.1:${await freePort()}/app`;
    const error = await failureOf(postgresWriter(down).write({ table: TABLE, key: { id: 1 }, values: { a: 'x' } }));
    expect(error).toBeInstanceOf(WriteBackError);
    expect(error?.permanent).toBe(false);
    expect(error?.message).toContain('ECONNREFUSED');
  });
});

describe('write-back via hasura (stand-in)', () => {
  test("when it writes, then the change carries the bridge's role in the session variables, as Hasura's would", async () => {
    await db.client.query("INSERT INTO incident_request (id, title) VALUES (77, 'x')");
    // update.columns "*": the write-back itself records an UPDATE event, with the session of the write.
    await listenTo(db.client, '*');
    try {
      await hasuraWriter().write({ table: TABLE, key: { id: 77 }, values: { ticket_number: 'INC77' } });
    } finally {
      await listenTo(db.client, ['title', 'priority', 'status']);
    }
    const { rows } = await db.client.query("SELECT op, session_variables FROM hasura_events WHERE new->>'id' = '77'");
    expect(rows).toEqual([
      { op: 'INSERT', session_variables: null },
      {
        op: 'UPDATE',
        session_variables: { 'x-hasura-role': BRIDGE_ROLE, 'x-hasura-use-backend-only-permissions': 'true' },
      },
    ]);
  });

  test.each([
    ['a column outside its update permission', {}, { title: 'x' }, /validation-failed: field 'title' not found/],
    ['a role Hasura does not know', { role: 'nobody' }, { ticket_number: 'x' }, /not found in type: 'mutation_root'/],
    ['a wrong admin secret', { secret: 'wrong' }, { ticket_number: 'x' }, /access-denied/],
  ])('when it writes %s, then Hasura refuses and the failure is permanent', async (_what, options, values, message) => {
    const error = await failureOf(hasuraWriter(options).write({ table: TABLE, key: { id: 1 }, values }));
    expect(error).toBeInstanceOf(WriteBackError);
    expect(error?.permanent).toBe(true);
    expect(error?.message).toMatch(message);
  });

  test('when Hasura is not reachable, then the failure is retryable', async () => {
    const writer = createHasuraRowWriter({
      url: `http://127.0.0.1:${await freePort()}`,
      adminSecret: new Secret(STANDIN_SECRET),
      role: BRIDGE_ROLE,
    });
    writers.push(writer);
    const error = await failureOf(writer.write({ table: TABLE, key: { id: 1 }, values: { ticket_number: 'x' } }));
    expect(error?.permanent).toBe(false);
  });
});
