import { MockActivityEnvironment } from '@temporalio/testing';
import { createLifecycleActivities } from '../../src/activities/lifecycle';
import { changeRowTicket, type RowCall, type RowTicketChange } from '../../src/activities/row-ticket';
import { rowTicketKeyFor } from '../../src/common/correlation-tag';
import { Secret } from '../../src/common/secret';
import type { TriggerConfig } from '../../src/config/bridge-config';
import { createLogger } from '../../src/logging';
import type { ApplyRowEventInput, HasuraOp, Row } from '../../src/contract';
import { createEventMapper, DEFAULT_MAPPING } from '../../src/mapping/mapper';
import type { TicketRef } from '../../src/ticketing/ticket-target';
import { FakeTarget } from '../helpers/fake-target';

/* Review R4 (copy): a ticket's signed key is readable, so a ServiceNow user can copy it onto an incident of their own;
   the row's ticket column (inbound.ticket_column, written back as `{{ ticket.id }}`) names which ticket is the row's. */
const config = { secret: new Secret('a-correlation-secret-of-32-bytes-at-least') };
const row = { trigger: 'orders_named', table: 'public.orders', rowKey: '7' };
const key = rowTicketKeyFor(config, row);
const mapper = createEventMapper(DEFAULT_MAPPING);

/** The row's event with `named` in its ticket column; no `ticket`: the row's last run is past Temporal's retention. */
function callFor(target: FakeTarget, named: string | null, op: HasuraOp = 'UPDATE'): RowCall {
  const image = (title: string): Row => ({ id: 7, title, ticket_sys_id: named });
  const data = op === 'DELETE' ? { old: image('a'), new: null } : { old: image('a'), new: image('b') };
  const input: ApplyRowEventInput = {
    trigger: row.trigger,
    correlationId: key,
    event: {
      eventId: 'e9',
      trigger: row.trigger,
      table: { schema: 'public', name: 'orders' },
      op,
      createdAt: '2026-12-03T10:00:00',
      data,
      sessionVariables: null,
    },
    rules: { manual: 'upsert', onClosed: 'reopen', reorderWindowMs: 0 },
    overrides: {},
  };
  return { input, target, mapper, ctx: {}, ticketColumn: 'ticket_sys_id' };
}

/** The bridge's ticket T (closed if asked), then X: an incident given T's key later, open. */
function copied(closed: boolean): { target: FakeTarget; real: TicketRef; planted: TicketRef } {
  const target = new FakeTarget();
  const real = target.seed(key);
  target.tickets[0].closed = closed;
  const planted = target.seed(key);
  return { target, real, planted };
}

const run = (call: RowCall): Promise<RowTicketChange> => new MockActivityEnvironment().run(changeRowTicket, call);

describe('when the row knows no ticket and its ticket column names one', () => {
  test('when T is closed and a copy X is open and newer, then the row reopens T, never adopts X (probe)', async () => {
    const { target, real, planted } = copied(true);
    const change = await run(callFor(target, real.id));
    expect(change).toMatchObject({ action: 'reopened', ticket: { id: real.id } });
    expect(target.calls).not.toContain('create');
    expect(change.ticket?.id).not.toBe(planted.id);
  });

  test('when T and a newer copy X are both open, then the row updates T', async () => {
    const { target, real } = copied(false);
    const change = await run(callFor(target, real.id));
    expect(change).toMatchObject({ action: 'updated', ticket: { id: real.id } });
  });

  test('when the column holds the sys_id in another spelling (upper case, no dashes), then it still names T', async () => {
    const { target, real } = copied(true);
    const change = await run(callFor(target, real.id.replace(/-/g, '').toUpperCase()));
    expect(change).toMatchObject({ action: 'reopened', ticket: { id: real.id } });
  });

  test('when the event is a DELETE, then the old image names the closed T, and the open copy is not resolved', async () => {
    const { target, real } = copied(true);
    const change = await run(callFor(target, real.id, 'DELETE'));
    expect(change).toMatchObject({ action: 'skipped', ticket: { id: real.id } });
    expect(target.calls).not.toContain('resolve');
  });

  test('when the search does not show the named ticket, then the oldest found is the row s, not a newer open one', async () => {
    const { target, real: older } = copied(true);
    const gone = target.seed(key); // the named ticket, deleted (or hidden by an ACL) since
    target.tickets.splice(2, 1);
    const change = await run(callFor(target, gone.id));
    expect(change).toMatchObject({ action: 'reopened', ticket: { id: older.id } });
  });

  test('when nothing is found, then the row creates once, and a retry after the lost answer keeps that ticket', async () => {
    const target = new FakeTarget();
    target.lostAnswers = 1; // the create is stored, its answer times out; the operator retries the parked event
    await expect(run(callFor(target, 'a0f0c3a1db2c1010a1b2c3d4e5f60789'))).rejects.toThrow(/Timeout/);
    const change = await run(callFor(target, 'a0f0c3a1db2c1010a1b2c3d4e5f60789'));
    expect(change).toMatchObject({ action: 'updated', ticket: { id: target.tickets[0].id } });
    expect(target.calls.filter((call) => call === 'create')).toHaveLength(1);
  });
});

describe('when the row names no ticket (a new row, or one ticketed before its column was written)', () => {
  test.each([null, ''])('when the column is %p, then the oldest open ticket of the key is the row s', async (value) => {
    const { target, planted } = copied(true);
    const change = await run(callFor(target, value));
    expect(change).toMatchObject({ action: 'updated', ticket: { id: planted.id } });
  });

  test('when the trigger has no ticket column, then the oldest open ticket of the key is the row s', async () => {
    const { target, real, planted } = copied(true);
    const change = await run({ ...callFor(target, real.id), ticketColumn: undefined });
    expect(change).toMatchObject({ action: 'updated', ticket: { id: planted.id } });
  });
});

describe("the lifecycle worker reads the row's ticket column from the trigger's inbound config", () => {
  const trigger: TriggerConfig = {
    target: 'fake',
    ops: ['INSERT', 'UPDATE', 'DELETE'],
    rowKey: ['id'],
    lifecycle: { enabled: true, manual: 'upsert', onClosed: 'reopen', reorderWindowMs: 0 },
    fields: {},
    updateFields: {},
    resolveFields: {},
    workNote: '',
    inbound: { columns: {}, ticketColumn: 'ticket_sys_id' },
  };
  const activitiesFor = (target: FakeTarget, inbound: boolean) =>
    createLifecycleActivities({
      targets: { fake: target },
      config: {
        triggers: { [row.trigger]: inbound ? trigger : { ...trigger, inbound: undefined } },
        defaults: trigger,
      },
      mapper,
      logger: createLogger({ level: 'silent' }),
    });

  test.each([
    [true, 'the named T', 'reopened', 0],
    [false, 'the open copy (no ticket column: the oldest open)', 'updated', 1],
  ])('when inbound is %p, then the row follows %s', async (inbound, _which, action, index) => {
    const { target, real, planted } = copied(true);
    const { input } = callFor(target, real.id);
    const result = await new MockActivityEnvironment().run(activitiesFor(target, inbound).applyRowEvent, input);
    expect(result).toMatchObject({ action, ticket: { id: [real, planted][index].id } });
  });
});

describe("when the row's column holds another row's ticket (a cloned row, a restore: second review of R4's fix)", () => {
  const other = rowTicketKeyFor(config, { ...row, rowKey: '8' });

  test("when row 8 has no ticket of its own, then it creates its own and never takes row 7's", async () => {
    const target = new FakeTarget();
    const real = target.seed(key);
    const call = callFor(target, real.id, 'INSERT');
    call.input.correlationId = other;
    const change = await run(call);
    expect(change).toMatchObject({ action: 'created' });
    expect(change.ticket?.id).not.toBe(real.id);
  });

  test("when row 8 has its own ticket, then its DELETE resolves that one, not row 7's", async () => {
    const target = new FakeTarget();
    const real = target.seed(key);
    const own = target.seed(other);
    const call = callFor(target, real.id, 'DELETE');
    call.input.correlationId = other;
    const change = await run(call);
    expect(change.ticket?.id).toBe(own.id);
  });
});
