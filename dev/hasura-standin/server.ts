import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { graphqlError, permissionProblem, type GraphqlError, type Permissions } from './permissions';
import { columnScalars, pkColumnsInputType, scalarProblem } from './scalars';

/*
 * A stand-in for the one Hasura request the bridge makes (there is no Hasura engine on these
 * machines): POST /v1/graphql with `update_<table>_by_pk(pk_columns: $pk, _set: $set)`, over a real
 * PostgreSQL. Like Hasura it checks the admin secret, applies the role's permissions (./permissions.ts),
 * runs the UPDATE in a transaction with `hasura.user` set to the request's session variables (what
 * Hasura's event trigger function copies into an event's `session_variables`), and answers GraphQL
 * errors with Hasura's codes. Anything else is refused: it is not a GraphQL engine.
 */

export interface StandinOptions {
  databaseUrl: string;
  adminSecret: string;
  /** Tracked tables, `schema.name`; GraphQL names follow Hasura's default (`<schema>_<name>` outside public). */
  tables: string[];
  permissions: Permissions;
}

export interface HasuraStandin {
  url: string;
  /** Requests answered, for tests that count calls. */
  requests(): number;
  close(): Promise<void>;
}

const MUTATION =
  /^mutation\s+\w*\s*\(\s*\$pk:\s*(\w+)_pk_columns_input!\s*,\s*\$set:\s*(\w+)_set_input!\s*\)\s*\{\s*update_(\w+)_by_pk\(\s*pk_columns:\s*\$pk\s*,\s*_set:\s*\$set\s*\)\s*\{\s*__typename\s*\}\s*\}$/;

// The writer's introspection of a table's key scalars (src/source/hasura-key-types.ts).
const KEY_TYPES =
  /^query\s+BridgeKeyTypes\s*\{\s*__type\(name:\s*"(\w+)_pk_columns_input"\)\s*\{\s*inputFields\s*\{\s*name\s+type\s*\{\s*name\s+ofType\s*\{\s*name\s*\}\s*\}\s*\}\s*\}\s*\}$/;

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
const rootOf = (table: string) => {
  const [schema, name] = table.split('.');
  return schema === 'public' ? name : `${schema}_${name}`;
};

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** x-hasura-* request headers, as Hasura forms session variables (names lower-case, the secret left out). */
function sessionVariables(req: IncomingMessage): Record<string, string> {
  const entries = Object.entries(req.headers).filter(
    ([name]) => name.startsWith('x-hasura-') && name !== 'x-hasura-admin-secret',
  );
  return Object.fromEntries(entries.map(([name, value]) => [name, String(value)]));
}

async function primaryKey(pool: Pool, table: string): Promise<string[]> {
  const sql =
    'SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) ' +
    'WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)';
  const [schema, name] = table.split('.');
  return (await pool.query(sql, [`${quote(schema)}.${quote(name)}`])).rows.map((row) => row.attname as string);
}

/** SQLSTATE → Hasura's code for a failed statement; a lost connection is Hasura's `unexpected`. */
function databaseError(error: { code?: string; message?: string }): GraphqlError {
  const code = error.code ?? '';
  const hasuraCode = code.startsWith('22') ? 'data-exception' : code.startsWith('23') ? 'constraint-violation' : '';
  if (hasuraCode) return graphqlError(hasuraCode, '$', String(error.message));
  return graphqlError('unexpected', '$', 'database query error');
}

export function createStandinHandler(options: StandinOptions, pool: Pool) {
  const roots = new Map(options.tables.map((table) => [rootOf(table), table]));
  return async (req: IncomingMessage, headers: Record<string, string>, text: string): Promise<object> => {
    if (headers['x-hasura-admin-secret'] !== options.adminSecret) {
      return { errors: [graphqlError('access-denied', '$', 'invalid x-hasura-admin-secret/x-hasura-access-key')] };
    }
    const { query, variables } = JSON.parse(text) as { query?: string; variables?: { pk?: object; set?: object } };
    const introspection = KEY_TYPES.exec(query?.trim() ?? '');
    const introspected = introspection && roots.get(introspection[1]);
    if (introspected) return keyTypesAnswer(pool, options.permissions, introspected, sessionVariables(req));
    const match = MUTATION.exec(query?.trim() ?? '');
    const table = match && match[1] === match[2] && match[2] === match[3] ? roots.get(match[1]) : undefined;
    if (!match || !table || !variables?.pk || !variables.set) {
      return { errors: [graphqlError('validation-failed', '$', 'the stand-in serves only update_<table>_by_pk')] };
    }
    const session = sessionVariables(req);
    const role = session['x-hasura-role'] ?? 'admin';
    const key = Object.keys(variables.pk);
    const set = Object.keys(variables.set);
    const primary = await primaryKey(pool, table);
    const request = { role, table, root: match[1], key, set, primaryKey: primary };
    const backendOnlyRequested = session['x-hasura-use-backend-only-permissions'] === 'true';
    const refused = permissionProblem(options.permissions, { ...request, backendOnlyRequested });
    if (refused) return { errors: [refused] };
    const scalars = await columnScalars(pool, table);
    const invalid =
      scalarProblem(scalars, variables.pk as Record<string, unknown>, '$.variableValues.pk') ??
      scalarProblem(scalars, variables.set as Record<string, unknown>, '$.variableValues.set');
    if (invalid) return { errors: [invalid] };
    return { data: { [`update_${match[1]}_by_pk`]: await update(pool, table, variables, session) } };
  };
}

/** The key's scalars, for a role that sees the table's `_by_pk` update (else Hasura's `__type` is null). */
async function keyTypesAnswer(pool: Pool, permissions: Permissions, table: string, session: Record<string, string>) {
  const primary = await primaryKey(pool, table);
  const request = { role: session['x-hasura-role'] ?? 'admin', table, root: rootOf(table), key: primary, set: [] };
  const backendOnlyRequested = session['x-hasura-use-backend-only-permissions'] === 'true';
  const hidden = permissionProblem(permissions, { ...request, primaryKey: primary, backendOnlyRequested });
  return { data: hidden ? { __type: null } : pkColumnsInputType(primary, await columnScalars(pool, table)) };
}

async function update(pool: Pool, table: string, variables: { pk?: object; set?: object }, session: object) {
  const pk = Object.entries(variables.pk ?? {});
  const set = Object.entries(variables.set ?? {});
  const [schema, name] = table.split('.');
  const assignments = set.map(([column], index) => `${quote(column)} = $${index + 1}`);
  const where = pk.map(([column], index) => `${quote(column)} = $${set.length + index + 1}`);
  const text = `UPDATE ${quote(schema)}.${quote(name)} SET ${assignments.join(', ')} WHERE ${where.join(' AND ')}`;
  const params = [...set, ...pk].map(([, value]) => (value === null ? null : String(value)));
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT set_config('hasura.user', $1, true)", [JSON.stringify(session)]);
    const result = await client.query(`${text} RETURNING 1`, params);
    await client.query('COMMIT');
    return result.rowCount ? { __typename: rootOf(table) } : null;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export async function startHasuraStandin(options: StandinOptions, port = 0): Promise<HasuraStandin> {
  const pool = new Pool({ connectionString: options.databaseUrl, max: 4 });
  pool.on('error', () => undefined);
  const handle = createStandinHandler(options, pool);
  let count = 0;
  const server: Server = createServer((req, res) => {
    count += 1;
    const answer = (status: number, body: object) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method !== 'POST' || req.url !== '/v1/graphql') {
      answer(404, { error: 'not found' });
      return;
    }
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    readBody(req)
      .then((text) => handle(req, headers, text))
      .then(
        (body) => answer(200, body),
        (error: { code?: string; message?: string }) => answer(200, { errors: [databaseError(error)] }),
      );
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    requests: () => count,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await pool.end();
    },
  };
}
