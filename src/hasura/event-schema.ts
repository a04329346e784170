import { z } from 'zod';

/**
 * The body of a Hasura v2 event-trigger delivery, exactly as the engine encodes `EventPayload`
 * (no `payload` wrapper). Unknown extra fields are tolerated (`passthrough`) so a newer Hasura
 * that adds fields keeps working. The rule for every field: accept whatever Hasura can send, reject
 * only what it cannot — a 4xx makes Hasura give the event up.
 */

// Current Hasura sends LocalTime without a zone; v2.0-era builds append `Z`. Both are accepted.
const HASURA_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;
// Postgres text holds no NUL, and Hasura encodes only well-formed UTF-8 (no lone surrogates).
const NOT_POSTGRES_TEXT = /\0|\p{Cs}/u;

/** Non-empty text Postgres could have stored; `max` only where the database itself bounds the length. */
const postgresText = (max?: number) =>
  (max ? z.string().min(1).max(max) : z.string().min(1)).refine(
    (text) => !NOT_POSTGRES_TEXT.test(text),
    'not text Hasura can store (NUL or a lone surrogate)',
  );

/**
 * `session_variables` is `current_setting('hasura.user')::json`: Hasura writes an object of strings,
 * but plain SQL (`SET LOCAL hasura.user = '{"x-hasura-user-id": 42}'`) can leave any JSON there.
 * The event must not be lost over it: an object keeps its keys with strings as they are, other values
 * as their JSON text (42 → "42"), and nulls dropped (an unset variable); any other JSON means no
 * session variables (null). Mapping templates see `session` as strings either way.
 */
function sessionVariablesOf(value: unknown): Record<string, string> | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  // fromEntries defines own properties: a `__proto__` variable stays a variable, never a prototype.
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, raw]) => raw !== null)
      .map(([name, raw]) => [name, typeof raw === 'string' ? raw : JSON.stringify(raw)]),
  );
}

const row = z.record(z.string(), z.unknown());

export const hasuraOpSchema = z.enum(['INSERT', 'UPDATE', 'DELETE', 'MANUAL']);

export const hasuraEventSchema = z
  .object({
    id: z.string().uuid(),
    created_at: z.string().regex(HASURA_TIMESTAMP, 'expected YYYY-MM-DDTHH:MM:SS[.ffffff][Z]'),
    // create_event_trigger enforces ^[A-Za-z]+[A-Za-z0-9_-]*$ and 42 characters, but replace_metadata
    // (`hasura metadata apply`) only warns about other names and checks no length, and older triggers were
    // never checked: any text. Temporal's limits (workflow ID length, search attribute size) answer for
    // extreme lengths, with an operator-fixable 503 (src/starting/temporal-refusals.ts).
    trigger: z.object({ name: postgresText() }).passthrough(),
    // Postgres identifiers have at most 63 bytes, SQL Server's 128 characters.
    table: z.object({ schema: postgresText(200), name: postgresText(200) }).passthrough(),
    event: z
      .object({
        op: hasuraOpSchema,
        data: z.object({ old: row.nullable(), new: row.nullable() }).passthrough(),
        session_variables: z.unknown().transform(sessionVariablesOf),
        // Set the same way as session_variables (`hasura.tracecontext`); unused here, so any JSON.
        trace_context: z.unknown().optional(),
      })
      .passthrough(),
    delivery_info: z
      .object({ current_retry: z.number().int().min(0), max_retries: z.number().int().min(0) })
      .passthrough(),
  })
  .passthrough()
  .superRefine((body, ctx) => {
    const { op, data } = body.event;
    const needsNew = op !== 'DELETE';
    const needsOld = op === 'UPDATE' || op === 'DELETE';
    if (needsNew && !data.new)
      ctx.addIssue({ code: 'custom', path: ['event', 'data', 'new'], message: `required for ${op}` });
    if (needsOld && !data.old)
      ctx.addIssue({ code: 'custom', path: ['event', 'data', 'old'], message: `required for ${op}` });
  });

export type HasuraEventBody = z.infer<typeof hasuraEventSchema>;
export type HasuraOp = z.infer<typeof hasuraOpSchema>;
