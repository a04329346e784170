import fc from 'fast-check';
import { hasuraEventBody } from '../helpers/hasura';

/**
 * Generators of webhook requests derived from a real Hasura body. Every "invalid" generator is
 * invalid by construction (never by asking our own schema), so the fuzz test has an independent oracle.
 */
export interface FuzzRequest {
  contentType?: string;
  contentEncoding?: string;
  body: Buffer;
  /** What the mutation did, for the failure report. */
  label: string;
}

export const DEEP_LEVELS = 10_000;
export const DEEP_PLACEHOLDER = '"__deep_nesting__"';
const deepJson = '['.repeat(DEEP_LEVELS) + ']'.repeat(DEEP_LEVELS);
const OPS = ['INSERT', 'UPDATE', 'DELETE', 'MANUAL'];

export type Json = Record<string, unknown>;
export const baseBody = (): Json => hasuraEventBody({ op: 'INSERT' });

/** JSON text; a placeholder value becomes 10k levels of nesting (too deep for JSON.stringify to build cheaply). */
const encode = (value: unknown) => Buffer.from(JSON.stringify(value).split(DEEP_PLACEHOLDER).join(deepJson));

export function setPath(body: Json, path: string[], value: unknown, options: { remove?: boolean } = {}): Json {
  const copy = structuredClone(body);
  const parent = path.slice(0, -1).reduce<Json>((node, key) => node[key] as Json, copy);
  const last = path[path.length - 1];
  if (options.remove) delete parent[last];
  else Object.defineProperty(parent, last, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

export const huge = (min: number) => fc.integer({ min, max: min * 4 }).map((n) => 'x'.repeat(n));
export const deep = fc.constant(JSON.parse(DEEP_PLACEHOLDER) as string);
const notString = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.array(fc.jsonValue(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
  deep,
);
const notObject = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double(),
  fc.string(),
  fc.array(fc.jsonValue(), { maxLength: 3 }),
  huge(1_000),
  deep,
);
const notCount = fc.oneof(
  fc.constant(null),
  fc.string(),
  fc.integer({ max: -1 }),
  fc.double({ min: 0.01, max: 0.99, noNaN: true }),
  fc.array(fc.nat(), { maxLength: 2 }),
);

/** Required fields and values each one can never accept (a uuid has 36 characters, a timestamp at least 19). */
const REQUIRED_FIELDS: [string[], fc.Arbitrary<unknown>][] = [
  [['id'], fc.oneof(notString, fc.string({ maxLength: 35 }), huge(5_000))],
  [['created_at'], fc.oneof(notString, fc.string({ maxLength: 18 }), huge(5_000))],
  [['trigger'], notObject],
  // Hasura sends any non-empty trigger name (see hasura-valid-requests.ts), never one Postgres text cannot hold.
  [
    ['trigger', 'name'],
    fc.oneof(
      notString,
      fc.constant(''),
      fc.string().map((s) => `${s}\0${s}`),
      fc.string().map((s) => `${s}\ud800`),
    ),
  ],
  [['table'], notObject],
  [['table', 'schema'], fc.oneof(notString, fc.constant(''), huge(201))],
  [['table', 'name'], fc.oneof(notString, fc.constant(''), huge(201))],
  [['event'], notObject],
  [
    ['event', 'op'],
    fc.oneof(
      notString,
      fc.string().filter((s) => !OPS.includes(s)),
      huge(10_000),
    ),
  ],
  [['event', 'data'], notObject],
  [
    ['event', 'data', 'new'],
    fc.oneof(fc.constant(null), fc.boolean(), fc.string(), fc.integer(), fc.array(fc.jsonValue(), { maxLength: 3 })),
  ],
  [['delivery_info'], notObject],
  [['delivery_info', 'current_retry'], notCount],
  [['delivery_info', 'max_retries'], notCount],
];
const DROPPABLE = REQUIRED_FIELDS.map(([path]) => path);

export const json = (label: string, body: unknown): FuzzRequest => ({
  contentType: 'application/json',
  body: encode(body),
  label,
});

const wrongValue = fc.integer({ min: 0, max: REQUIRED_FIELDS.length - 1 }).chain((index) => {
  const [path, values] = REQUIRED_FIELDS[index];
  return values.map((value) => json(`replace ${path.join('.')}`, setPath(baseBody(), path, value)));
});
const dropped = fc
  .constantFrom(...DROPPABLE)
  .map((path) => json(`drop ${path.join('.')}`, setPath(baseBody(), path, undefined, { remove: true })));
const notAnEvent = fc
  .oneof(
    fc.jsonValue().filter((v) => !(v && typeof v === 'object' && 'id' in v)),
    deep,
  )
  .map((value) => json('not an event', value));
const pollution = fc
  .constantFrom<[string, (b: Json) => unknown]>(
    ['__proto__ holds the event', (b) => ({ ['__proto__']: b })],
    ['constructor.prototype holds the event', (b) => ({ constructor: { prototype: b } })],
    [
      'trigger.__proto__ holds the name',
      (b) =>
        setPath(setPath(b, ['trigger', 'name'], undefined, { remove: true }), ['trigger', '__proto__'], {
          name: 'polluted',
        }),
    ],
    [
      'event.__proto__ holds the op',
      (b) =>
        setPath(setPath(b, ['event', 'op'], undefined, { remove: true }), ['event', '__proto__'], {
          op: 'INSERT',
          polluted: true,
        }),
    ],
  )
  .map(([label, build]) => json(label, build(baseBody())));

const INVALID_UTF8 = [
  Buffer.from([0xff]),
  Buffer.from([0xc3]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xfe, 0xfe]),
];
const brokenBytes = fc
  .tuple(fc.constantFrom(...INVALID_UTF8), fc.constantFrom('start', 'inside id', 'replaces a quote'), fc.nat())
  .map(([bad, where, cut]) => {
    const text = encode(baseBody());
    const at = where === 'start' ? 0 : where === 'inside id' ? text.indexOf('"id":"') + 6 : text.indexOf('"', 1);
    const body = Buffer.concat([text.subarray(0, at), bad, text.subarray(where === 'replaces a quote' ? at + 1 : at)]);
    return {
      contentType: 'application/json',
      body: cut % 3 === 0 ? body.subarray(0, cut % body.length) : body,
      label: `invalid UTF-8 at ${where}`,
    };
  });
const truncated = fc.nat().map((cut) => {
  const text = encode(baseBody());
  return { contentType: 'application/json', body: text.subarray(0, cut % text.length), label: 'truncated JSON' };
});
const wrongContentType = fc
  .tuple(
    fc.constantFrom(
      undefined,
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/json; charset=latin1',
    ),
    fc.boolean(),
  )
  .map(([contentType, withBody]) => ({
    contentType,
    body: withBody ? encode(baseBody()) : Buffer.alloc(0),
    label: `content type ${contentType}`,
  }));
const badEncoding = fc.constantFrom('gzip', 'deflate', 'br', 'x-unknown').map((contentEncoding) => ({
  contentType: 'application/json',
  contentEncoding,
  body: encode(baseBody()),
  label: `content-encoding ${contentEncoding} over plain bytes`,
}));
const empty = fc.constant({ contentType: 'application/json', body: Buffer.alloc(0), label: 'empty body' });

/** Bodies that must never start a workflow. `limitBytes` is the app's body limit. */
export function invalidRequests(limitBytes: number): fc.Arbitrary<FuzzRequest> {
  const oversized = huge(limitBytes + 1).map((pad) => json('oversized', { ...baseBody(), pad }));
  return fc.oneof(
    wrongValue,
    wrongValue,
    dropped,
    notAnEvent,
    pollution,
    brokenBytes,
    truncated,
    wrongContentType,
    badEncoding,
    empty,
    oversized,
  );
}
