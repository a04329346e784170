import fc from 'fast-check';
import { hasuraEventBody } from '../helpers/hasura';
import { baseBody, deep, DEEP_PLACEHOLDER, huge, json, setPath, type FuzzRequest, type Json } from './hasura-mutations';

const FIELD_NAMES = new Set([
  'id',
  'created_at',
  'trigger',
  'table',
  'event',
  'delivery_info',
  'name',
  'schema',
  'op',
  'data',
  'old',
  'new',
  'session_variables',
  'trace_context',
  'current_retry',
  'max_retries',
]);
const extraKey = fc.oneof(
  fc.string({ minLength: 1 }).filter((key) => !FIELD_NAMES.has(key)),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString'),
);
const extraValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  deep,
  huge(1_000),
  fc.constant({ prototype: { polluted: true } }),
);
const PASSTHROUGH = [
  [],
  ['trigger'],
  ['table'],
  ['event'],
  ['event', 'data'],
  ['delivery_info'],
  ['event', 'data', 'new'],
];

/**
 * A row column past 2^53 next to a column nested deeper than the exact parser reads is refused with a 400
 * naming it (src/api/json-body.ts; test/unit/json-body.test.ts): the one body the webhook cannot hold exactly.
 */
const unsafeInteger = (value: unknown) =>
  typeof value === 'number' && !Number.isSafeInteger(value) && Number.isInteger(value);
const notExactlyReadable = ([where, extras]: [string[], [string, unknown][]]) =>
  where.join('.') === 'event.data.new' &&
  extras.some(([, value]) => value === JSON.parse(DEEP_PLACEHOLDER)) &&
  extras.some(([, value]) => unsafeInteger(value));

const withExtras = fc
  .tuple(fc.constantFrom(...PASSTHROUGH), fc.array(fc.tuple(extraKey, extraValue), { minLength: 1, maxLength: 4 }))
  .filter((candidate) => !notExactlyReadable(candidate))
  .map(([where, extras]) => {
    const body = baseBody();
    const extended = extras.reduce((acc, [key, value]) => setPath(acc, [...where, key], value), body);
    return { ...json(`extra fields at ${where.join('.') || '(root)'}`, extended), eventId: String(body.id) };
  });

/**
 * Values Hasura itself can put in a body: any non-empty trigger name (replace_metadata only warns about
 * names outside ^[A-Za-z]+[A-Za-z0-9_-]*$; Postgres text holds no NUL), and as session_variables or
 * trace_context any JSON the `hasura.user` / `hasura.tracecontext` settings hold (plain SQL can SET them).
 */
const hasuraCanSend = fc
  .tuple(
    fc.oneof(fc.string({ minLength: 1 }), fc.fullUnicodeString({ minLength: 1 })).filter((s) => !s.includes('\0')),
    fc.jsonValue({ maxDepth: 3 }),
    fc.jsonValue({ maxDepth: 2 }),
  )
  .map(([trigger, sessionVariables, traceContext]) => {
    const body = hasuraEventBody({ op: 'INSERT', trigger });
    Object.assign(body.event as Json, { session_variables: sessionVariables, trace_context: traceContext });
    return { ...json('odd trigger name and session variables', body), eventId: String(body.id) };
  });

/** A real body plus fields a newer Hasura (or a curious row) might add, or odd values Hasura can send: accepted. */
export function validRequests(): fc.Arbitrary<FuzzRequest & { eventId: string }> {
  return fc.oneof(withExtras, hasuraCanSend);
}
