import { applyQuery, parseEncodedQuery } from '../../dev/simulator/servicenow/query';
import type { SimRecord } from '../../dev/simulator/servicenow/store';

const rows: SimRecord[] = [
  {
    number: 'INC0010001',
    state: '1',
    priority: '3',
    short_description: 'Wifi down in lobby',
    correlation_id: 'hasura:a1',
  },
  { number: 'INC0010002', state: '2', priority: '1', short_description: 'Email outage', correlation_id: 'hasura:b2' },
  { number: 'INC0010003', state: '6', priority: '5', short_description: 'Printer jam', correlation_id: '' },
  {
    number: 'INC0010010',
    state: '2',
    priority: '3',
    short_description: 'wifi slow ^ again',
    correlation_id: 'other:c3',
  },
];
const KNOWN = new Set(Object.keys(rows[0]));
const isKnown = (field: string) => KNOWN.has(field);

function numbersFor(query: string): string[] {
  return applyQuery(rows, query, isKnown).map((row) => row.number);
}

describe('encoded query operators', () => {
  test.each([
    ['correlation_id=hasura:a1', ['INC0010001']],
    ['state!=2', ['INC0010001', 'INC0010003']],
    ['short_descriptionLIKEwifi', ['INC0010010']],
    ['short_descriptionNOT LIKEwifi', ['INC0010001', 'INC0010002', 'INC0010003']],
    ['correlation_idSTARTSWITHhasura:', ['INC0010001', 'INC0010002']],
    ['numberENDSWITH10', ['INC0010010']],
    ['stateIN1,6', ['INC0010001', 'INC0010003']],
    ['stateNOT IN1,6', ['INC0010002', 'INC0010010']],
    ['correlation_idISEMPTY', ['INC0010003']],
    ['correlation_idISNOTEMPTY', ['INC0010001', 'INC0010002', 'INC0010010']],
    ['priority<3', ['INC0010002']],
    ['priority>=3', ['INC0010001', 'INC0010003', 'INC0010010']],
    ['priority>3', ['INC0010003']],
    ['priority<=1', ['INC0010002']],
  ])('when the query is %s, then it selects %j', (query, expected) => {
    expect(numbersFor(query)).toEqual(expected);
  });

  test('when a value must match case-sensitively, then a different case does not match', () => {
    expect(numbersFor('short_descriptionLIKEWifi')).toEqual(['INC0010001']);
    expect(numbersFor('correlation_id=HASURA:a1')).toEqual([]);
  });
});

describe('encoded query joins', () => {
  test.each([
    ['state=2^priority=3', ['INC0010010']],
    ['state=1^ORstate=6', ['INC0010001', 'INC0010003']],
    ['state=1^ORstate=6^priority=5', ['INC0010003']],
    ['priority=5^state=1^ORstate=6', ['INC0010003']],
    ['state=1^NQpriority=1', ['INC0010001', 'INC0010002']],
    ['short_descriptionLIKE^^ again', ['INC0010010']],
  ])('when the query is %s, then it selects %j', (query, expected) => {
    expect(numbersFor(query)).toEqual(expected);
  });
});

describe('encoded query ordering', () => {
  test.each([
    ['ORDERBYpriority', ['INC0010002', 'INC0010001', 'INC0010010', 'INC0010003']],
    ['ORDERBYDESCnumber', ['INC0010010', 'INC0010003', 'INC0010002', 'INC0010001']],
    ['ORDERBYDESCpriority^ORDERBYDESCnumber', ['INC0010003', 'INC0010010', 'INC0010001', 'INC0010002']],
    ['state=2^ORDERBYDESCnumber', ['INC0010010', 'INC0010002']],
  ])('when the query is %s, then the order is %j', (query, expected) => {
    expect(numbersFor(query)).toEqual(expected);
  });

  test('when numbers are compared, then they compare as numbers, not text', () => {
    const counted = [{ n: '10' }, { n: '9' }, { n: '100' }];
    expect(applyQuery(counted, 'ORDERBYn', () => true).map((row) => row.n)).toEqual(['9', '10', '100']);
  });
});

describe('invalid query parts', () => {
  test.each([
    ['an unknown field', 'u_missspelled=1', rows.length],
    ['an unknown field ANDed with a valid part', 'u_missspelled=1^state=2', 2],
    ['an unparsable part', 'garbage^state=1', 1],
    ['an unknown ORDERBY field', 'ORDERBYu_nothing', rows.length],
    ['an empty query', '', rows.length],
  ])('when the query has %s, then that part is ignored', (_label, query, expectedCount) => {
    expect(numbersFor(query)).toHaveLength(expectedCount);
  });

  test('when a part names an unknown field, then the parser drops it and keeps the rest', () => {
    const parsed = parseEncodedQuery('u_bad=1^state=2^ORDERBYu_bad^ORDERBYnumber', isKnown);
    expect(parsed).toEqual({
      anyOf: [[[{ field: 'state', operator: '=', value: '2' }]]],
      orderBy: [{ field: 'number', descending: false }],
    });
  });

  test('when OR follows a dropped part, then the OR part still constrains the result', () => {
    expect(numbersFor('u_bad=1^ORstate=6')).toEqual(['INC0010003']);
  });

  test('when a value contains an operator, then only the first operator splits field from value', () => {
    const parsed = parseEncodedQuery('short_description=a=b!=c', isKnown);
    expect(parsed.anyOf[0]).toEqual([[{ field: 'short_description', operator: '=', value: 'a=b!=c' }]]);
  });
});
