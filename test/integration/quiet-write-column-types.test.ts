import { Client } from 'pg';
import { Secret } from '../../src/common/secret';
import { createPostgresRowWriter } from '../../src/source/postgres-writer';
import type { RowWriter } from '../../src/source/row-writer';
import { startPostgres, type Postgres } from '../helpers/postgres';

/*
 * Third review, finding 9: the quiet inbound write compares a column without a default equality operator class
 * (varchar, arrays, json, ...) as text, in its type. Cast with the column's typmod (`$1::character varying(10)`),
 * an explicit cast, truncates: a longer value compared equal and was silently not written. And the column types
 * were looked up once for the pool's life: after an ALTER TABLE every write compared the old way (the typmod of
 * before; json where the column became text), and PostgreSQL refused each such write for good.
 */
const TABLE = { schema: 'public', name: 'quiet_types' };
let pg: Postgres;
let db: Client;
let rows: RowWriter;

beforeAll(async () => {
  pg = await startPostgres();
  db = new Client({ connectionString: pg.url() });
  await db.connect();
  await db.query(
    'CREATE TABLE public.quiet_types (id int PRIMARY KEY, tags varchar(10)[], details varchar(10), doc json)',
  );
  rows = createPostgresRowWriter({ url: new Secret(pg.url()), timeoutMs: 3_000 });
}, 60_000);
afterAll(async () => {
  await rows?.close();
  await db?.end();
  await pg?.stop();
});

const write = (id: number, values: Record<string, string | null>) =>
  rows.write({ table: TABLE, key: { id: String(id) }, values, onlyChanged: true, timeoutMs: 2_000 });
const column = async (id: number, name: string) =>
  (await db.query(`SELECT "${name}"::text AS v FROM public.quiet_types WHERE id = $1`, [id])).rows[0].v;

test('when a varchar(10) column was widened to varchar(20), then a longer value starting like the held one is written', async () => {
  await db.query("INSERT INTO public.quiet_types (id, tags, details) VALUES (1, '{abcdefghij}', 'abcdefghij')");
  expect(await write(1, { details: 'abcdefghij', tags: '{abcdefghij}' })).toEqual({ rows: 1, changed: 0 });
  // Widening a varchar rewrites nothing; the writer's pool still has the table's types from before.
  await db.query('ALTER TABLE public.quiet_types ALTER COLUMN details TYPE varchar(20)');
  await db.query('ALTER TABLE public.quiet_types ALTER COLUMN tags TYPE varchar(20)[]');
  expect(await write(1, { details: 'abcdefghij, more' })).toEqual({ rows: 1, changed: 1 });
  expect(await write(1, { tags: '{"abcdefghij, more"}' })).toEqual({ rows: 1, changed: 1 });
  expect([await column(1, 'details'), await column(1, 'tags')]).toEqual(['abcdefghij, more', '{"abcdefghij, more"}']);
});

test('when a text column became json after the first write, then the next write still compares and writes it', async () => {
  await db.query('CREATE TABLE public.quiet_altered (id int PRIMARY KEY, details text)');
  await db.query("INSERT INTO public.quiet_altered (id, details) VALUES (2, 'old')");
  const altered = (details: string) =>
    rows.write({
      table: { schema: 'public', name: 'quiet_altered' },
      key: { id: '2' },
      values: { details },
      onlyChanged: true,
    });
  expect(await altered('plain text')).toEqual({ rows: 1, changed: 1 });
  await db.query('ALTER TABLE public.quiet_altered ALTER COLUMN details TYPE json USING to_json(details)');
  expect(await altered('{"a": 1}')).toEqual({ rows: 1, changed: 1 });
  expect(await altered('{"a": 1}')).toEqual({ rows: 1, changed: 0 });
});

test('when a json column became text after the first write, then a value that is no json is written', async () => {
  await db.query('INSERT INTO public.quiet_types (id, doc) VALUES (3, \'{"b": 2}\')');
  expect(await write(3, { doc: '{"b": 3}' })).toEqual({ rows: 1, changed: 1 });
  await db.query('ALTER TABLE public.quiet_types ALTER COLUMN doc TYPE text');
  expect(await write(3, { doc: 'resolved by ann' })).toEqual({ rows: 1, changed: 1 });
  expect(await column(3, 'doc')).toBe('resolved by ann');
});
