import { abandonSignal, retrySignal } from '../../src/contract';
import { WriteBackError } from '../../src/source/errors';
import { TicketValidationError } from '../../src/ticketing/errors';
import { eventually } from '../helpers/stack';
import { body, expectOutcome, parked, runChain, status, type Path } from './recording-steps';

/* Issue 13's paths (patched('13-writeback')): the ticket written back into the row after ticket work and parks. */

const TRIGGER = 'replay_writeback';
const ROW_TRIGGER = 'replay_row_writeback';

export const WRITE_BACK_PATHS: Record<string, Path> = {
  'event-written-back': async (h) => {
    const { workflowId } = await h.writeBack.start(body({ trigger: TRIGGER }));
    const outcome = await expectOutcome(h.client, workflowId, 'created');
    if (!('writeBack' in outcome) || outcome.writeBack?.status !== 'written')
      throw new Error(`no write-back: ${JSON.stringify(outcome)}`);
    return { workflowId };
  },

  // The park writes its error to the row; the operator's retry creates and writes the ticket.
  'event-parked-written-back-then-retried': async (h) => {
    h.writeBack.target.createFailures = [new TicketValidationError('Invalid urgency', { status: 400 })];
    const { workflowId } = await h.writeBack.start(body({ trigger: TRIGGER }));
    await parked(h.client, workflowId);
    await eventually(async () => ((await status(h.client, workflowId)).writeBack ? true : undefined));
    await h.client.workflow.getHandle(workflowId).signal(retrySignal, { reason: 'urgency fixed' });
    await expectOutcome(h.client, workflowId, 'created');
    return { workflowId };
  },

  // A write-back refused for good is reported in the outcome; the event stays created.
  'event-write-back-failed': async (h) => {
    h.writeBack.writer.failures = [new WriteBackError('column "ticket_number" does not exist', true)];
    const { workflowId } = await h.writeBack.start(body({ trigger: TRIGGER }));
    const outcome = await expectOutcome(h.client, workflowId, 'created');
    if (!('writeBack' in outcome) || outcome.writeBack?.status !== 'failed')
      throw new Error(`write-back did not fail: ${JSON.stringify(outcome)}`);
    return { workflowId };
  },

  // A parked event abandoned: the error columns were written, nothing else.
  'event-parked-written-back-then-abandoned': async (h) => {
    h.writeBack.target.createFailures = [new TicketValidationError('Invalid table', { status: 400 })];
    const { workflowId } = await h.writeBack.start(body({ trigger: TRIGGER }));
    await parked(h.client, workflowId);
    await eventually(async () => ((await status(h.client, workflowId)).writeBack ? true : undefined));
    await h.client.workflow.getHandle(workflowId).signal(abandonSignal, { reason: 'test row' });
    await expectOutcome(h.client, workflowId, 'abandoned');
    return { workflowId };
  },

  // A row created, updated and resolved, each written back (the low continue-as-new threshold splits the chain).
  'row-written-back': async (h) => {
    const v1 = { id: 21, title: 'Disk almost full', priority: 'low' };
    const v2 = { ...v1, title: 'Disk full' };
    const steps = [
      body({ trigger: ROW_TRIGGER, op: 'INSERT', old: null, new: v1 }),
      body({ trigger: ROW_TRIGGER, op: 'UPDATE', old: v1, new: v2 }),
      body({ trigger: ROW_TRIGGER, op: 'DELETE', old: v2, new: null }),
    ].map((b, i) => ({ ...b, created_at: `2026-12-02T10:00:0${i}.100000` }));
    let rowWorkflowId = '';
    for (const [i, step] of steps.entries()) {
      const { workflowId } = await h.writeBack.start(step);
      const outcome = await expectOutcome(h.client, workflowId, 'forwarded');
      if (outcome.status === 'forwarded') rowWorkflowId = outcome.rowWorkflowId;
      await eventually(async () => ((await status(h.client, rowWorkflowId)).row?.applied ?? 0) > i || undefined, {
        what: `row event ${i + 1} applied`,
      });
    }
    await eventually(async () => (h.writeBack.writer.writes.length >= 3 ? true : undefined), { what: 'write-backs' });
    await h.client.workflow.getHandle(rowWorkflowId).result();
    const runs = await runChain(h.client, rowWorkflowId);
    return {
      'row-written-back-first-run': { workflowId: rowWorkflowId, runId: runs[0] },
      'row-written-back-last-run': { workflowId: rowWorkflowId, runId: runs.at(-1) },
    };
  },
};
