import { MockActivityEnvironment } from '@temporalio/testing';
import { rowOfCorrelation, signedByTheBridge } from '../../src/activities/inbound-key';
import { changeRowTicket, type RowCall, type RowTicketChange } from '../../src/activities/row-ticket';
import { legacyTicketAdoptable, legacyTicketKeyFor, rowTicketKeyFor } from '../../src/common/correlation-tag';
import { Secret } from '../../src/common/secret';
import type { ApplyRowEventInput } from '../../src/contract';
import { createEventMapper, DEFAULT_MAPPING } from '../../src/mapping/mapper';
import { FakeTarget } from '../helpers/fake-target';

/* Upgrading: rows ticketed before the tag keep their untagged tickets, and only those (correlation.legacy_before). */
const UPGRADE = Date.parse('2026-12-01T00:00:00Z');
const config = { secret: new Secret('a-correlation-secret-of-32-bytes-at-least'), legacyBeforeMs: UPGRADE };
const row = { trigger: 'orders', table: 'public.orders', rowKey: '7' };

describe('which untagged tickets are adoptable', () => {
  test.each([
    ["ServiceNow's UTC time before the upgrade", '2026-11-30 23:59:59', true],
    ["ServiceNow's UTC time after it", '2026-12-01 00:00:01', false],
    ['an ISO time with a zone before it', '2026-12-01T00:30:00+01:00', true],
    ['an ISO time with a zone after it', '2026-12-01T00:30:00Z', false],
    ['no creation time', undefined, false],
    ['an unreadable creation time', 'yesterday', false],
  ])('when the ticket has %s, then adoptable is %s', (_name, createdAt, adoptable) => {
    expect(legacyTicketAdoptable(config, createdAt)).toBe(adoptable);
  });

  test('when legacy_before is not set, then no untagged ticket is adoptable', () => {
    expect(legacyTicketAdoptable({ secret: config.secret }, '2000-01-01 00:00:00')).toBe(false);
  });

  test('when an inbound change names an untagged key, then only a ticket created before the upgrade is the row', () => {
    const found = rowOfCorrelation('orders:public.orders:7', { name: 'orders', rowKey: ['id'] });
    expect(found && signedByTheBridge(config, 'orders', found, '2026-11-01 10:00:00')).toBe(true);
    expect(found && signedByTheBridge(config, 'orders', found, '2026-12-02 10:00:00')).toBe(false);
  });
});

describe("the row's lookup before it creates", () => {
  const mapper = createEventMapper(DEFAULT_MAPPING);
  const input = (): ApplyRowEventInput => ({
    trigger: 'orders',
    correlationId: rowTicketKeyFor(config, row),
    event: {
      eventId: 'e1',
      trigger: 'orders',
      table: { schema: 'public', name: 'orders' },
      op: 'UPDATE',
      createdAt: '2026-12-03T10:00:00',
      data: { old: { id: 7, title: 'a' }, new: { id: 7, title: 'b' } },
      sessionVariables: null,
    },
    rules: { manual: 'upsert', onClosed: 'reopen', reorderWindowMs: 0 },
    overrides: {},
  });
  const callWith = (target: FakeTarget): RowCall => ({
    input: input(),
    target,
    mapper,
    ctx: {},
    legacy: {
      correlationId: legacyTicketKeyFor(row),
      adoptable: (createdAt) => legacyTicketAdoptable(config, createdAt),
    },
  });

  test('when the row has an untagged ticket from before the upgrade, then it keeps that ticket', async () => {
    const target = new FakeTarget();
    const old = target.seed(legacyTicketKeyFor(row));
    target.tickets[0].createdAt = '2026-11-01T00:00:00.000Z';
    const change = await new MockActivityEnvironment().run(changeRowTicket, callWith(target));
    expect(change).toMatchObject({ action: 'updated', ticket: { id: old.id } });
    expect(target.tickets).toHaveLength(1);
  });

  test('when an untagged ticket got the key after the upgrade (set by hand), then the row gets its own', async () => {
    const target = new FakeTarget();
    const planted = target.seed(legacyTicketKeyFor(row));
    const change: RowTicketChange = await new MockActivityEnvironment().run(changeRowTicket, callWith(target));
    expect(change).toMatchObject({ action: 'created', created: true });
    expect(change.ticket?.id).not.toBe(planted.id);
  });

  test('when the row already has a signed ticket, then that one is kept, whatever untagged ones exist', async () => {
    const target = new FakeTarget();
    const signed = target.seed(rowTicketKeyFor(config, row));
    target.seed(legacyTicketKeyFor(row));
    target.tickets[1].createdAt = '2026-11-01T00:00:00.000Z';
    const change = await new MockActivityEnvironment().run(changeRowTicket, callWith(target));
    expect(change).toMatchObject({ action: 'updated', ticket: { id: signed.id } });
  });
});
