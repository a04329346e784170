import type { ServiceNowChangeResult } from '../../src/contract';
import { operatorActions } from '../../src/notify/summary';
import { WriteBackError } from '../../src/source/errors';
import { RecordingNotifier } from '../helpers/event-harness';
import { rowOf, ticketedRow } from '../helpers/inbound-rows';
import { SN_SECRET, startInboundStack, type InboundStack } from '../helpers/inbound-stack';
import { eventually } from '../helpers/stack';

/*
 * Third review, finding 8: the read after a write (patched('14-reread-until-seen')) is retried without a maximum
 * of attempts, so a failure that is not ServiceNow's and never ends (the source database unreachable) told no
 * one: the change was stuck, silently. Once its attempts reach the retry schedule's maximum it tells the operators,
 * once, as `stuck`, and keeps retrying.
 */
const TRIGGER = 'incident_reread_stuck';
const notifier = new RecordingNotifier();
let stack: InboundStack;
beforeAll(async () => {
  stack = await startInboundStack({ trigger: TRIGGER, notifier });
}, 120_000);
afterAll(async () => stack?.close());

const rowIn = (id: number) => rowOf(stack, id);
const rowWithTicket = (id: number) => ticketedRow(stack, TRIGGER, id);

/**
 * The source database goes away right after the change's inbound write: the re-read's check of the row fails
 * with `fault` (retryably, unless the test says otherwise) until the test clears it.
 */
function failAfterWrite(id: number) {
  const { read, write } = stack.writer;
  const control = { written: false, fault: new Error('connection terminated unexpectedly') as Error | undefined };
  stack.writer.write = async (request) => {
    const result = await write(request);
    if (request.key.id === String(id) && request.onlyIf) control.written = true;
    return result;
  };
  stack.writer.read = async (request) => {
    if (control.written && control.fault && request.key.id === String(id)) throw control.fault;
    return read(request);
  };
  const restore = () => Object.assign(stack.writer, { read, write });
  return { control, restore };
}

/** The change an agent makes, its workflow, and the first notification about it. */
async function agentChange(sysId: string) {
  stack.sim.configureBusinessRule({ url: `${stack.apiUrl}/servicenow/events`, secret: SN_SECRET, auth: 'hmac' });
  const moved = stack.sim.agentUpdate(sysId, { user: 'ann.agent', fields: { state: '2' } });
  const workflowId = `servicenow-incident-${sysId}-${moved.sys_mod_count}`;
  const { report } = await eventually(() => notifier.sent.find((s) => s.report.workflowId === workflowId), {
    what: 'the stuck notification',
  });
  return { handle: stack.temporal.client.workflow.getHandle(workflowId), report };
}

const reportsOf = (workflowId: string) =>
  notifier.sent.filter((s) => s.report.workflowId === workflowId).map((s) => s.report.outcome);

test('when the read after a write keeps failing (not ServiceNow), then the operators are told once that the change is stuck, and it carries on', async () => {
  const id = 401;
  const ticket = await rowWithTicket(id);
  const { control, restore } = failAfterWrite(id);
  try {
    const { handle, report } = await agentChange(ticket.sys_id);
    expect(report).toMatchObject({
      outcome: 'stuck',
      op: 'SERVICENOW_CHANGE',
      ...{ trigger: 'inbound', table: `ServiceNow incident ${ticket.sys_id}` }, // named before its row is known
      attempts: 3, // FAST_TEST_POLICY's maximumAttempts
      lastError: { message: expect.stringContaining('connection terminated') },
    });
    expect(operatorActions(report)).toEqual([
      expect.objectContaining({ command: `temporal workflow describe -w '${handle.workflowId}'` }),
    ]);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    // Still retrying past the schedule's maximum, without telling anyone again.
    await eventually(
      async () => {
        const pending = (await handle.describe()).raw.pendingActivities ?? [];
        return pending.some((activity) => (activity.attempt ?? 0) >= 5) || undefined;
      },
      { what: 'the re-read retrying past the maximum' },
    );
    control.fault = undefined;
    expect(await handle.result()).toMatchObject({ outcome: 'written' } satisfies Partial<ServiceNowChangeResult>);
    expect(reportsOf(handle.workflowId)).toEqual(['stuck']);
    expect(await rowIn(id)).toMatchObject({ status: 'in_progress' });
  } finally {
    restore();
  }
}, 60_000);

test('when a stuck re-read then fails for good, then the operators are told that too', async () => {
  const id = 402;
  const ticket = await rowWithTicket(id);
  const { control, restore } = failAfterWrite(id);
  try {
    const { handle } = await agentChange(ticket.sys_id);
    control.fault = new WriteBackError('permission denied for table incident_request (SQLSTATE 42501)', true);
    await expect(handle.result()).rejects.toThrow();
    await eventually(() => (reportsOf(handle.workflowId).length > 1 ? true : undefined), {
      what: 'the failure notification after the stuck one',
    });
    expect(reportsOf(handle.workflowId)).toEqual(['stuck', 'failed']);
  } finally {
    restore();
  }
}, 60_000);
