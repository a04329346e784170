import { Secret } from '../../src/common/secret';
import { createHasuraRowWriter } from '../../src/source/hasura-writer';
import { startHasuraStandin, type HasuraStandin } from '../../dev/hasura-standin/server';
import { BRIDGE_ROLE, STANDIN_SECRET, startSourceDb, type SourceDb } from '../helpers/source-db';

/*
 * Issue 14 review M2: an inbound write's key comes from the correlation key as text. Hasura's `Int` takes
 * only a JSON number (a string is `validation-failed`), while `bigint` takes its digits as a string.
 */
const TABLE = { schema: 'public', name: 'int_keyed' };
let db: SourceDb;
let standin: HasuraStandin;
beforeAll(async () => {
  db = await startSourceDb();
  await db.client.query('CREATE TABLE public.int_keyed (id int PRIMARY KEY, status text)');
  await db.client.query("INSERT INTO public.int_keyed VALUES (1, 'open'), (2, 'open')");
  const permission = { update: ['status'], select: ['id'], backendOnly: true };
  standin = await startHasuraStandin({
    ...{ databaseUrl: db.url, adminSecret: STANDIN_SECRET, tables: ['public.int_keyed'] },
    permissions: { [BRIDGE_ROLE]: { 'public.int_keyed': permission } },
  });
}, 60_000);
afterAll(async () => {
  await standin?.close();
  await db?.close();
});

const graphql = (variables: object) =>
  fetch(`${standin.url}/v1/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hasura-admin-secret': STANDIN_SECRET,
      'x-hasura-role': BRIDGE_ROLE,
      'x-hasura-use-backend-only-permissions': 'true',
    },
    body: JSON.stringify({
      query:
        'mutation W($pk: int_keyed_pk_columns_input!, $set: int_keyed_set_input!) ' +
        '{ update_int_keyed_by_pk(pk_columns: $pk, _set: $set) { __typename } }',
      variables,
    }),
  }).then((response) => response.json() as Promise<{ errors?: { message?: string }[] }>);

test('when an Int key is sent as a string, then the stand-in refuses it as Hasura does', async () => {
  const answer = await graphql({ pk: { id: '1' }, set: { status: 'x' } });
  expect(answer.errors?.[0]).toMatchObject({
    extensions: { code: 'validation-failed' },
    message: "expected a Int for type 'Int', but found a string",
  });
  expect((await db.client.query('SELECT status FROM public.int_keyed WHERE id = 1')).rows[0].status).toBe('open');
});

test('when the writer gets an Int key as text (a correlation key), then it sends a number and exactly that row is written', async () => {
  const writer = createHasuraRowWriter({
    url: standin.url,
    adminSecret: new Secret(STANDIN_SECRET),
    role: BRIDGE_ROLE,
  });
  try {
    await expect(writer.write({ table: TABLE, key: { id: '2' }, values: { status: 'resolved' } })).resolves.toEqual({
      rows: 1,
    });
    const { rows } = await db.client.query('SELECT id, status FROM public.int_keyed ORDER BY id');
    expect(rows).toEqual([
      { id: 1, status: 'open' },
      { id: 2, status: 'resolved' },
    ]);
  } finally {
    await writer.close();
  }
});
