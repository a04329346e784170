import { Client } from 'pg';
import { Secret } from '../../src/common/secret';
import { createPostgresRowWriter } from '../../src/source/postgres-writer';
import { startPostgres, type Postgres } from '../helpers/postgres';

/*
 * Review 14 (second, adversarial), the quiet inbound write: failing tests on branch review14; production code unchanged.
 */
let pg: Postgres;
let db: Client;
const writer = () => createPostgresRowWriter({ url: new Secret(pg.url()), timeoutMs: 3_000 });

beforeAll(async () => {
  pg = await startPostgres();
  db = new Client({ connectionString: pg.url() });
  await db.connect();
  await db.query('CREATE TABLE public.incident_request (id int PRIMARY KEY, status text, details json)');
  await db.query("INSERT INTO public.incident_request (id, status) VALUES (1, 'open')");
}, 60_000);
afterAll(async () => {
  await db?.end();
  await pg?.stop();
});

/**
 * R7: the inbound write compares before it changes (`"col" IS DISTINCT FROM $n`), and PostgreSQL has no equality
 * operator for json (nor xml, point, ...): "could not identify an equality operator for type json". An inbound
 * column of such a type — which the plain UPDATE wrote, and which write-back columns still may be — now fails
 * every change of every row for good (a permanent database refusal), and nothing at load time says so.
 */
test('R7: an inbound column of type json is written by the quiet write', async () => {
  const rows = writer();
  try {
    const result = await rows.write({
      table: { schema: 'public', name: 'incident_request' },
      key: { id: '1' },
      values: { status: 'resolved', details: '{"close_code":"Solution provided"}' },
      onlyChanged: true,
    });
    expect(result).toEqual({ rows: 1, changed: 1 });
  } finally {
    await rows.close();
  }
});

/** R7's fix compares such columns as text in their type: a row already holding the values is still left alone. */
test('R7: a json column already holding the value (or both NULL) is left as it was', async () => {
  const rows = writer();
  const write = (values: Record<string, string | null>) =>
    rows.write({ table: { schema: 'public', name: 'incident_request' }, key: { id: '1' }, values, onlyChanged: true });
  try {
    await write({ details: null });
    expect(await write({ details: null })).toEqual({ rows: 1, changed: 0 });
    await write({ details: '{"a": 1}' });
    expect(await write({ details: '{"a": 1}' })).toEqual({ rows: 1, changed: 0 });
    expect(await write({ details: '{"a":1}' })).toEqual({ rows: 1, changed: 1 });
  } finally {
    await rows.close();
  }
});

/**
 * The zombie write (review 14, with R8): the statement of an inbound write is bounded by its attempt's time left
 * (`timeoutMs`, from the activity), so one outliving its attempt is ended by the server and never commits later.
 */
test('a write bounded below the pool timeout ends when its time is up and commits nothing later', async () => {
  // The pool's own timeout far above jest's: unbounded, the write would wait for the lock until the test times out.
  const rows = createPostgresRowWriter({ url: new Secret(pg.url()), timeoutMs: 60_000 });
  const locker = new Client({ connectionString: pg.url() });
  await locker.connect();
  try {
    await locker.query('BEGIN');
    await locker.query('SELECT * FROM public.incident_request WHERE id = 1 FOR UPDATE');
    const request = {
      ...{ table: { schema: 'public', name: 'incident_request' }, key: { id: '1' } },
      ...{ values: { status: 'zombie' }, onlyChanged: true, timeoutMs: 300 },
    };
    await expect(rows.write(request)).rejects.toThrow(/statement timeout/);
    await locker.query('COMMIT');
    const { rows: now } = await db.query('SELECT status FROM public.incident_request WHERE id = 1');
    expect(now[0].status).not.toBe('zombie');
  } finally {
    await locker.end();
    await rows.close();
  }
});
