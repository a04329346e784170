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
