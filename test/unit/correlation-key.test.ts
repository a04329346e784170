import { rowOfCorrelation, signedByTheBridge } from '../../src/activities/inbound-key';
import { legacyTicketKeyFor, rowTicketKeyFor, tagVerifies } from '../../src/common/correlation-tag';
import { Secret } from '../../src/common/secret';
import { CORRELATION_ID_MAX_LENGTH } from '../../src/contract';
import { rowKeyOf } from '../../src/mapping/row-key';

/* Review R4: a row's ticket key carries an HMAC tag, so only the holder of correlation.secret can make one. */
const config = { secret: new Secret('a-correlation-secret-of-32-bytes-at-least') };
const other = { secret: new Secret('another-correlation-secret-of-32-bytes!!') };
const row = { trigger: 'orders', table: 'public.orders', rowKey: '42' };
const trigger = { name: 'orders', rowKey: ['id'] };

test('when a row key is built, then it is <trigger>:<22-char tag>:<schema.table>:<key>, the same every time', () => {
  const key = rowTicketKeyFor(config, row);
  expect(key).toMatch(/^orders:[A-Za-z0-9_-]{22}:public\.orders:42$/);
  expect(rowTicketKeyFor({ secret: new Secret(config.secret.reveal()) }, row)).toBe(key);
});

test('when another secret or another row signs, then the tag differs', () => {
  const key = rowTicketKeyFor(config, row);
  expect(rowTicketKeyFor(other, row)).not.toBe(key);
  const tagOf = (text: string) => text.split(':')[1];
  expect(tagOf(rowTicketKeyFor(config, { ...row, rowKey: '43' }))).not.toBe(tagOf(key));
  expect(tagOf(rowTicketKeyFor(config, { ...row, table: 'public.payroll' }))).not.toBe(tagOf(key));
});

test('when the key would pass 100 characters, then it is the clipped trigger and the whole MAC, still unique', () => {
  const long = { trigger: 't'.repeat(300), table: 'public.t', rowKey: 'k'.repeat(300) };
  const key = rowTicketKeyFor(config, long);
  expect(key).toMatch(new RegExp(`^t{40}:[A-Za-z0-9_-]{43}$`));
  expect(key.length).toBeLessThanOrEqual(CORRELATION_ID_MAX_LENGTH);
  expect(rowTicketKeyFor(config, { ...long, rowKey: `${long.rowKey}x` })).not.toBe(key);
});

test('when the old form is asked for, then it is the untagged key rows had before the tag', () => {
  expect(legacyTicketKeyFor(row)).toBe('orders:public.orders:42');
  expect(legacyTicketKeyFor({ ...row, rowKey: 'k'.repeat(120) })).toMatch(/^orders:[0-9a-f]{48}$/);
});

describe('reading a key back to its row', () => {
  test.each([
    [['id'], { id: '42' }],
    [['tenant', 'id'], { tenant: 'a/b', id: 'c' }],
    [['tenant', 'id'], { tenant: '100%', id: '%2F literally' }],
  ])('when the key columns are %j, then the signed key gives the row back, and its tag verifies', (columns, key) => {
    const rowKey = rowKeyOf(key, columns);
    const correlationId = rowTicketKeyFor(config, { ...row, rowKey });
    const found = rowOfCorrelation(correlationId, { name: 'orders', rowKey: columns });
    expect(found).toMatchObject({ table: { schema: 'public', name: 'orders' }, key, rowKey });
    expect(found && signedByTheBridge(config, 'orders', found, undefined)).toBe(true);
  });

  test('when the key is the untagged old form, then it still names the row, without a tag', () => {
    const found = rowOfCorrelation('orders:public.orders:42', trigger);
    expect(found).toEqual({ table: { schema: 'public', name: 'orders' }, key: { id: '42' }, rowKey: '42' });
  });

  test.each([
    ['tagged with another secret', rowTicketKeyFor(other, row)],
    ["another row's tag on this row", rowTicketKeyFor(config, { ...row, rowKey: '43' }).replace(':43', ':42')],
    ['untagged, without legacy_before', 'orders:public.orders:42'],
  ])('when the key is %s, then the bridge did not sign it', (_name, correlationId) => {
    const found = rowOfCorrelation(correlationId, trigger);
    expect(found).toMatchObject({ key: { id: '42' } });
    expect(found && signedByTheBridge(config, 'orders', found, '2020-01-01 00:00:00')).toBe(false);
  });

  test('when a tag differs in one character, then it does not verify', () => {
    const tag = rowTicketKeyFor(config, row).split(':')[1];
    const flipped = `${tag.slice(0, -1)}${tag.endsWith('A') ? 'B' : 'A'}`;
    expect(tagVerifies(config, row, tag)).toBe(true);
    expect(tagVerifies(config, row, flipped)).toBe(false);
    expect(tagVerifies(config, row, tag.slice(1))).toBe(false);
  });
});
