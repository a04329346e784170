/*
 * The part of Hasura's authorization the stand-in reproduces for `update_<table>_by_pk`: a role's
 * update permission (columns, backend_only) and its select permission on the key columns, which
 * `_by_pk` fields need. Messages and codes are Hasura's: a field the role may not see is simply not in
 * its schema (`validation-failed`), a wrong secret is `access-denied`.
 */

export interface TablePermission {
  /** Columns the role may set (update_permissions.columns). */
  update: string[];
  /** Columns the role may select (select_permissions.columns): the key columns at least, for `_by_pk`. */
  select: string[];
  /** update_permissions.backend_only: visible only with the admin secret and x-hasura-use-backend-only-permissions. */
  backendOnly: boolean;
}

/** role → `schema.name` → permission. */
export type Permissions = Record<string, Record<string, TablePermission>>;

export interface GraphqlError {
  message: string;
  extensions: { path: string; code: string };
}

export const graphqlError = (code: string, path: string, message: string): GraphqlError => ({
  message,
  extensions: { path, code },
});

export interface UpdateRequest {
  role: string;
  backendOnlyRequested: boolean;
  /** `schema.name` */
  table: string;
  root: string;
  key: string[];
  set: string[];
  primaryKey: string[];
}

/** Why Hasura would refuse this update for the role, or undefined when it allows it. */
export function permissionProblem(permissions: Permissions, request: UpdateRequest): GraphqlError | undefined {
  const field = `update_${request.root}_by_pk`;
  if (request.role === 'admin') return undefined;
  const permission = permissions[request.role]?.[request.table];
  const visible =
    permission &&
    (!permission.backendOnly || request.backendOnlyRequested) &&
    request.primaryKey.every((column) => permission.select.includes(column));
  if (!visible) {
    return graphqlError(
      'validation-failed',
      `$.selectionSet.${field}`,
      `field '${field}' not found in type: 'mutation_root'`,
    );
  }
  const denied = request.set.find((column) => !permission.update.includes(column));
  if (denied === undefined) return undefined;
  return graphqlError(
    'validation-failed',
    `$.selectionSet.${field}.args._set.${denied}`,
    `field '${denied}' not found in type: '${request.root}_set_input'`,
  );
}
