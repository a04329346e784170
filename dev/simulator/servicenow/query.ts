import type { SimRecord } from './store';

/**
 * ServiceNow encoded queries (`sysparm_query`): `<field><op><value>` parts joined by `^` (AND),
 * `^OR` (OR with the previous part), `^NQ` (a new query ORed with the others), plus ORDERBY<f> /
 * ORDERBYDESC<f>; `^^` is a literal caret. Matching is case-sensitive (reference §2). As on a real
 * instance, a part naming an unknown field, or one that cannot be parsed, is silently ignored.
 */
export const QUERY_OPERATORS = [
  'NOT LIKE',
  'NOT IN',
  'STARTSWITH',
  'ENDSWITH',
  'ISNOTEMPTY',
  'ISEMPTY',
  'LIKE',
  'IN',
  '!=',
  '>=',
  '<=',
  '=',
  '>',
  '<',
] as const;
export type QueryOperator = (typeof QUERY_OPERATORS)[number];

export interface Condition {
  field: string;
  operator: QueryOperator;
  value: string;
}

export interface OrderBy {
  field: string;
  descending: boolean;
}

/** `anyOf` holds the ^NQ alternatives; each is a list of OR groups that must all hold. */
export interface EncodedQuery {
  anyOf: Condition[][][];
  orderBy: OrderBy[];
}

export type FieldCheck = (field: string) => boolean;

const CONDITION = new RegExp(`^([a-z0-9_.]+)(${QUERY_OPERATORS.join('|')})(.*)$`, 's');
const ESCAPED_CARET = '\u0000';

function parseCondition(part: string): Condition | undefined {
  const match = CONDITION.exec(part);
  if (!match) return undefined;
  return { field: match[1], operator: match[2] as QueryOperator, value: match[3].replaceAll(ESCAPED_CARET, '^') };
}

function parseOrderBy(part: string): OrderBy | undefined {
  if (part.startsWith('ORDERBYDESC')) return { field: part.slice('ORDERBYDESC'.length), descending: true };
  if (part.startsWith('ORDERBY')) return { field: part.slice('ORDERBY'.length), descending: false };
  return undefined;
}

function parseAlternative(text: string, isKnownField: FieldCheck, orderBy: OrderBy[]): Condition[][] {
  const groups: Condition[][] = [];
  for (const part of text.split('^')) {
    const order = parseOrderBy(part);
    if (order) {
      if (isKnownField(order.field)) orderBy.push(order);
      continue;
    }
    const isOr = part.startsWith('OR');
    const condition = parseCondition(isOr ? part.slice(2) : part);
    if (!condition || !isKnownField(condition.field)) continue;
    if (isOr && groups.length > 0) groups[groups.length - 1].push(condition);
    else groups.push([condition]);
  }
  return groups;
}

export function parseEncodedQuery(text: string, isKnownField: FieldCheck = () => true): EncodedQuery {
  const orderBy: OrderBy[] = [];
  const escaped = text.replaceAll('^^', ESCAPED_CARET);
  const anyOf = escaped.split('^NQ').map((alternative) => parseAlternative(alternative, isKnownField, orderBy));
  return { anyOf, orderBy };
}

const NUMERIC = /^-?\d+(\.\d+)?$/;

function compareValues(a: string, b: string): number {
  if (NUMERIC.test(a) && NUMERIC.test(b)) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

function conditionHolds(record: SimRecord, { field, operator, value }: Condition): boolean {
  const actual = record[field] ?? '';
  switch (operator) {
    case '=':
      return actual === value;
    case '!=':
      return actual !== value;
    case 'LIKE':
      return actual.includes(value);
    case 'NOT LIKE':
      return !actual.includes(value);
    case 'STARTSWITH':
      return actual.startsWith(value);
    case 'ENDSWITH':
      return actual.endsWith(value);
    case 'IN':
      return value.split(',').includes(actual);
    case 'NOT IN':
      return !value.split(',').includes(actual);
    case 'ISEMPTY':
      return actual === '';
    case 'ISNOTEMPTY':
      return actual !== '';
    case '>':
      return compareValues(actual, value) > 0;
    case '>=':
      return compareValues(actual, value) >= 0;
    case '<':
      return compareValues(actual, value) < 0;
    case '<=':
      return compareValues(actual, value) <= 0;
  }
}

export function matchesQuery(record: SimRecord, query: EncodedQuery): boolean {
  return query.anyOf.some((groups) => groups.every((group) => group.some((c) => conditionHolds(record, c))));
}

export function sortByQuery(records: SimRecord[], orderBy: readonly OrderBy[]): SimRecord[] {
  return [...records].sort((a, b) => {
    for (const { field, descending } of orderBy) {
      const order = compareValues(a[field] ?? '', b[field] ?? '');
      if (order !== 0) return descending ? -order : order;
    }
    return 0;
  });
}

/** The records a `sysparm_query` selects, in its ORDERBY order (insertion order otherwise). */
export function applyQuery(records: readonly SimRecord[], text: string, isKnownField: FieldCheck): SimRecord[] {
  const query = parseEncodedQuery(text, isKnownField);
  return sortByQuery(
    records.filter((record) => matchesQuery(record, query)),
    query.orderBy,
  );
}
