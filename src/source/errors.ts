/**
 * A write-back that failed. `permanent`: the database or Hasura refused it for a reason a retry cannot
 * change (an unknown column, a permission, a value the column cannot hold); else it is retried.
 * src/activities/failures.ts turns it into the activity's failure.
 */
export class WriteBackError extends Error {
  override name = 'WriteBackError';

  constructor(
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/*
 * PostgreSQL SQLSTATE classes a retry can get past: connection exceptions (08), insufficient resources
 * (53), operator intervention (57: shutdown, crash recovery, cancelled by a timeout), serialization
 * failures and deadlocks (40), system errors (58), and "cannot connect now" (57P03, starting up).
 * Everything else (42 syntax/undefined column, 22 data, 23 constraints, 28 authentication, 25, 0A, ...)
 * needs someone to change the config or the schema.
 */
const TRANSIENT_SQLSTATE_CLASSES = new Set(['08', '40', '53', '57', '58']);

/** A pg error, or a socket error before any SQLSTATE (refused, reset, DNS, timeout): retryable. */
export function postgresWriteBackError(error: unknown, where: string): WriteBackError {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = `${where}: ${typeof message === 'string' ? message : String(error)}`;
  const sqlstate = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
  const permanent = sqlstate !== undefined && !TRANSIENT_SQLSTATE_CLASSES.has(sqlstate.slice(0, 2));
  return new WriteBackError(sqlstate ? `${text} (SQLSTATE ${sqlstate})` : text, permanent, { cause: error });
}

/*
 * Hasura's error codes (`extensions.code`) that no retry changes: the role may not do it (permissions
 * hide fields, so a column it may not set reads as `validation-failed`), the secret is wrong, the
 * request or a value is invalid, a constraint refuses it. Others (`unexpected`, `postgres-error` of a
 * lost connection, `database-connection-error`) are retried.
 */
const PERMANENT_HASURA_CODES = new Set([
  'validation-failed',
  'permission-error',
  'permission-denied',
  'access-denied',
  'invalid-headers',
  'invalid-jwt',
  'parse-failed',
  'bad-request',
  'not-supported',
  'constraint-violation',
  'data-exception',
]);

/** An HTTP status of Hasura's: a gateway or overload status is retried; another 4xx is the request's fault. */
export function hasuraStatusError(status: number, body: string): WriteBackError {
  const retryable = status >= 500 || status === 408 || status === 429;
  return new WriteBackError(`Hasura answered ${status}: ${body.slice(0, 300)}`, !retryable);
}

/** GraphQL `errors`: permanent when any is of a permanent code. */
export function hasuraGraphqlError(errors: { message?: unknown; extensions?: { code?: unknown } }[]): WriteBackError {
  const codes = errors.map((error) => String(error.extensions?.code ?? 'unknown'));
  const messages = errors.map((error, index) => `${codes[index]}: ${String(error.message ?? '')}`);
  const permanent = codes.some((code) => PERMANENT_HASURA_CODES.has(code));
  return new WriteBackError(`Hasura refused the write-back: ${messages.join('; ').slice(0, 500)}`, permanent);
}
