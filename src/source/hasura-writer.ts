import type { SourceHasuraConfig } from '../config/source';
import { TargetHttp } from '../ticketing/http';
import { hasuraGraphqlError, hasuraStatusError, WriteBackError } from './errors';
import { keyTypesOf, keyTypesQuery, needsKeyTypes, typedKey, typedWhere, type KeyTypes } from './hasura-key-types';
import type { RowWrite, RowWriter } from './row-writer';

/** Hasura's default GraphQL name of a table: `<name>` in `public`, `<schema>_<name>` elsewhere. */
export function hasuraTableName(table: RowWrite['table']): string {
  return table.schema === 'public' ? table.name : `${table.schema}_${table.name}`;
}

/** The write-back's mutation: by primary key, only the given columns; `__typename` tells a changed row from none. */
export function updateByPkMutation(table: RowWrite['table']): string {
  const root = hasuraTableName(table);
  return (
    `mutation BridgeWriteBack($pk: ${root}_pk_columns_input!, $set: ${root}_set_input!) ` +
    `{ update_${root}_by_pk(pk_columns: $pk, _set: $set) { __typename } }`
  );
}

/** A write that must also find a column's value (the ticket column): by key and that value, in one mutation. */
export function updateWhereMutation(table: RowWrite['table']): string {
  const root = hasuraTableName(table);
  return (
    `mutation BridgeWriteBound($where: ${root}_bool_exp!, $set: ${root}_set_input!) ` +
    `{ update_${root}(where: $where, _set: $set) { affected_rows } }`
  );
}

/** Names are GraphQL names (the settings refuse others for `via: hasura`), so they go into the query as they are. */
export function selectQuery(table: RowWrite['table'], columns: string[]): string {
  const root = hasuraTableName(table);
  return `query BridgeRead($where: ${root}_bool_exp!) { ${root}(where: $where) { ${columns.join(' ')} } }`;
}

interface GraphqlAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message?: unknown; extensions?: { code?: unknown } }[];
}

/** One GraphQL request as the bridge's role; `errors` become a WriteBackError (./errors.ts decides retryable). */
function hasuraClient(config: SourceHasuraConfig, options: { requestTimeoutMs?: number }) {
  const http = new TargetHttp({ system: 'Hasura', baseUrl: config.url, requestTimeoutMs: options.requestTimeoutMs });
  async function graphql(operation: string, query: string, variables: object): Promise<Record<string, unknown>> {
    const headers = {
      'x-hasura-admin-secret': config.adminSecret.reveal(),
      'x-hasura-role': config.role,
      // A backend_only permission is visible only to admin-secret requests that ask for it.
      'x-hasura-use-backend-only-permissions': 'true',
    };
    const body = { query, variables };
    const answer = await http
      .send({ operation, method: 'POST', url: '/v1/graphql', headers, body })
      .catch((error: unknown) => {
        throw new WriteBackError(`Hasura unreachable: ${(error as Error).message}`, false, { cause: error });
      });
    if (answer.status < 200 || answer.status >= 300) throw hasuraStatusError(answer.status, answer.bodyText);
    let parsed: GraphqlAnswer;
    try {
      parsed = JSON.parse(answer.bodyText) as GraphqlAnswer;
    } catch {
      throw new WriteBackError(`Hasura answered ${answer.status} with a body that is not JSON`, false);
    }
    if (parsed.errors?.length) throw hasuraGraphqlError(parsed.errors);
    return parsed.data ?? {};
  }
  const known = new Map<string, KeyTypes>();
  /** Asked once per table, and only when a key value is text (./hasura-key-types.ts). */
  async function keyTypes(request: Pick<RowWrite, 'table' | 'key'>): Promise<KeyTypes | undefined> {
    if (!needsKeyTypes(request.key)) return undefined;
    const root = hasuraTableName(request.table);
    const types = known.get(root) ?? keyTypesOf(await graphql('keyTypes', keyTypesQuery(root), {}));
    if (!types) {
      const fix = `give role ${config.role} select on the key columns and its backend_only update permission`;
      throw new WriteBackError(`Hasura shows no ${root}_pk_columns_input: ${fix}`, true);
    }
    known.set(root, types);
    return types;
  }
  return { graphql, keyTypes, close: () => http.close() };
}

/**
 * Write-back through Hasura as the bridge's backend-only role: the admin secret authenticates,
 * `x-hasura-role` makes Hasura apply that role's update permission (only the ticket columns; the
 * role also needs select on the key columns for `_by_pk`, and on the ticket column for a bound write), and
 * the event Hasura records for the change carries the role in its session variables (loop guard b).
 */
export function createHasuraRowWriter(config: SourceHasuraConfig, options: { requestTimeoutMs?: number } = {}) {
  const { graphql, keyTypes, close } = hasuraClient(config, options);
  const writer: RowWriter = {
    async write(request) {
      const root = hasuraTableName(request.table);
      const types = await keyTypes(request);
      if (request.onlyIf) {
        const where = typedWhere({ ...request.key, ...request.onlyIf }, types);
        const data = await graphql('writeBack', updateWhereMutation(request.table), { where, set: request.values });
        return { rows: Number((data[`update_${root}`] as { affected_rows?: unknown } | null)?.affected_rows ?? 0) };
      }
      const variables = { pk: typedKey(request.key, types), set: request.values };
      const data = await graphql('writeBack', updateByPkMutation(request.table), variables);
      // null: no row has that key (deleted since), which is not an error.
      return { rows: data[`update_${root}_by_pk`] ? 1 : 0 };
    },
    async read(request) {
      const where = typedWhere(request.key, await keyTypes(request));
      const data = await graphql('read', selectQuery(request.table, request.columns), { where });
      const row = (data[hasuraTableName(request.table)] as Record<string, unknown>[] | undefined)?.[0];
      if (!row) return undefined;
      return Object.fromEntries(
        request.columns.map((column) => [column, row[column] == null ? null : String(row[column])]),
      );
    },
    close,
  };
  return writer;
}
