import type { Pool } from 'pg';
import { countRows, readRows } from '../../src/source/table-rows';
import { startPostgres, testPool, type Postgres } from '../helpers/postgres';

let pg: Postgres;
let pool: Pool;
const table = { schema: 'public', name: 'rows' };

beforeAll(async () => {
  pg = await startPostgres();
  pool = testPool(pg.url());
  await pool.query('CREATE TABLE public.rows (id bigint PRIMARY KEY)');
  await pool.query('INSERT INTO public.rows VALUES (1), (2)');
}, 60_000);
afterAll(async () => {
  await pool?.end();
  await pg?.stop();
});

const tableExists = async (name: string) =>
  (await pool.query('SELECT to_regclass($1) IS NOT NULL AS exists', [`public.${name}`])).rows[0].exists as boolean;

// `--where` with a `;` must stay one statement: in a second one, after its own COMMIT, it could write.
test.each([
  ['countRows', (where: string) => countRows(pool, { table, where }, ['id'])],
  ['readRows', (where: string) => readRows(pool, { table, where }, { key: ['id'], limit: 10 })],
])('when --where holds a second statement, then %s refuses it and nothing is written', async (name, read) => {
  const where = `true); COMMIT; CREATE TABLE public.written_by_${name} (x int); SELECT t.id FROM public.rows t WHERE (true`;

  await expect(read(where)).rejects.toThrow();
  expect(await tableExists(`written_by_${name}`)).toBe(false);
});
