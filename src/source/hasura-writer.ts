import type { SourceHasuraConfig } from '../config/source';
import { TargetHttp } from '../ticketing/http';
import { hasuraGraphqlError, hasuraStatusError, WriteBackError } from './errors';
import type { RowWrite, RowWriter } from './row-writer';

/** Hasura's default GraphQL name of a table: `<name>` in `public`, `<schema>_<name>` elsewhere. */
export function hasuraTableName(table: RowWrite['table']): string {
  return table.schema === 'public' ? table.name : `${table.schema}_${table.name}`;
}

/** The one mutation: by primary key, only the given columns; `__typename` tells a changed row from none. */
export function updateByPkMutation(table: RowWrite['table']): string {
  const root = hasuraTableName(table);
  return (
    `mutation BridgeWriteBack($pk: ${root}_pk_columns_input!, $set: ${root}_set_input!) ` +
    `{ update_${root}_by_pk(pk_columns: $pk, _set: $set) { __typename } }`
  );
}

interface GraphqlAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message?: unknown; extensions?: { code?: unknown } }[];
}

/**
 * Write-back through Hasura as the bridge's backend-only role: the admin secret authenticates,
 * `x-hasura-role` makes Hasura apply that role's update permission (only the ticket columns; the
 * role also needs select on the key columns for `_by_pk`), and the
 * event Hasura records for the change carries the role in its session variables (loop guard b).
 */
export function createHasuraRowWriter(config: SourceHasuraConfig, options: { requestTimeoutMs?: number } = {}) {
  const http = new TargetHttp({ system: 'Hasura', baseUrl: config.url, requestTimeoutMs: options.requestTimeoutMs });
  const writer: RowWriter = {
    async write(request) {
      const root = hasuraTableName(request.table);
      const body = { query: updateByPkMutation(request.table), variables: { pk: request.key, set: request.values } };
      const headers = {
        'x-hasura-admin-secret': config.adminSecret.reveal(),
        'x-hasura-role': config.role,
        // A backend_only permission is visible only to admin-secret requests that ask for it.
        'x-hasura-use-backend-only-permissions': 'true',
      };
      const answer = await http
        .send({ operation: 'writeBack', method: 'POST', url: '/v1/graphql', headers, body })
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
      // null: no row has that key (deleted since), which is not an error.
      return { rows: parsed.data?.[`update_${root}_by_pk`] ? 1 : 0 };
    },
    close: () => http.close(),
  };
  return writer;
}
