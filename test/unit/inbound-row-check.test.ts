import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { checkRow, RowTicketNotYetKnownError, type RowTrust } from '../../src/activities/inbound-row-check';
import { HasuraTable, HasuraTrigger } from '../../src/contract/search-attributes';
import type { RowWriter } from '../../src/source/row-writer';

/* Review 14 (6), (7): when the row workflow cannot answer yet, the check waits, fails for good, or (old callers) retries. */
const TRUST: RowTrust = { name: 'trig', rowKey: ['id'], ticketColumn: 'ticket_sys_id' };
const CLAIM = { table: { schema: 'public', name: 't' }, key: { id: '1' } };
const MINE = { id: 'sys-mine', number: 'INC2' };
const OLD = { id: 'sys-old', number: 'INC1' };
let column: string | null = MINE.id;
/** The row's ticket column holds `column`. */
const writer = { read: async () => ({ ticket_sys_id: column }) } as unknown as RowWriter;

/** A client whose row workflow is open, in `state`, holding `ticket`. */
function rowWorkflow(state: string, ticket?: { id: string; number: string }, writeBack: unknown = { done: true }) {
  const attributes = new Map<unknown, string>([
    [HasuraTrigger, 'trig'],
    [HasuraTable, 'public.t'],
  ]);
  const description = {
    workflowId: 'row',
    runId: 'run',
    status: { name: 'RUNNING' },
    typedSearchAttributes: { get: (key: unknown) => attributes.get(key) },
  };
  const handle = { describe: async () => description, query: async () => ({ state, ticket, writeBack: writeBack }) };
  return { workflow: { getHandle: () => handle } } as unknown as Client;
}

const check = (client: Client, mode?: 'wait' | 'fail') => checkRow({ client, writer }, TRUST, CLAIM, MINE, mode);

test('an open row workflow without a ticket: wait when asked, a permanent failure at the end, else a retryable error', async () => {
  const client = rowWorkflow('applying');
  await expect(check(client, 'wait')).resolves.toMatchObject({
    kind: 'wait',
    reason: expect.stringContaining('no ticket yet'),
  });
  const failure = await check(client, 'fail').catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure).toMatchObject({ type: 'RowTicketNotYetKnownError', nonRetryable: true });
  await expect(check(client)).rejects.toBeInstanceOf(RowTicketNotYetKnownError);
});

// Parked waits too (review 14 (5)): the operator's retry may find a ticket a create made whose answer was lost.
test('another ticket while the row workflow applies an event (create-new) or is parked waits; at rest it is ignored', async () => {
  await expect(check(rowWorkflow('applying', OLD), 'wait')).resolves.toMatchObject({ kind: 'wait' });
  await expect(check(rowWorkflow('waiting-for-operator', OLD), 'wait')).resolves.toMatchObject({ kind: 'wait' });
  await expect(check(rowWorkflow('waiting-for-events', OLD), 'wait')).resolves.toMatchObject({
    kind: 'ignore',
    reason: expect.stringContaining("the bridge's row of ticket INC1, not INC2"),
  });
});

test('its own ticket is written, whatever the row workflow is doing', async () => {
  await expect(check(rowWorkflow('applying', MINE), 'wait')).resolves.toMatchObject({ kind: 'write' });
});

test('its own ticket not yet written back into the row (review 14 R2): wait; once written back elsewhere, ignored', async () => {
  column = null;
  try {
    await expect(check(rowWorkflow('waiting-for-events', MINE, null), 'wait')).resolves.toMatchObject({
      kind: 'wait',
      reason: expect.stringContaining('has not written INC2 back'),
    });
    await expect(check(rowWorkflow('waiting-for-events', MINE), 'wait')).resolves.toMatchObject({ kind: 'ignore' });
  } finally {
    column = MINE.id;
  }
});
