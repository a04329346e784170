import { abandonUpdate, retrySignal, retryUpdate } from '../../src/contract';
import { TicketValidationError } from '../../src/ticketing/errors';
import { eventually } from '../helpers/stack';
import { body, expectOutcome, inState, parked, ROW, status, type Path } from './recording-steps';

/** Issue 11's paths: operator Updates, a template error that parks, a batch signal that found nothing parked. */
export const OPERATOR_PATHS: Record<string, Path> = {
  // `retry` and `abandon` as Workflow Updates (accepted; a rejected one leaves no history).
  'event-parked-then-retried-by-update': async (h) => {
    h.single.target.createFailures = [
      new TicketValidationError('Data Policy Exception: Assignment group is mandatory', { status: 403 }),
    ];
    const { workflowId } = await h.single.start(body());
    await parked(h.client, workflowId);
    await h.client.workflow.getHandle(workflowId).executeUpdate(retryUpdate, {
      args: [{ overrides: { assignment_group: 'replay-fixture-group' }, reason: 'group was missing' }],
    });
    await expectOutcome(h.client, workflowId, 'created');
    return { workflowId };
  },

  'event-parked-then-abandoned-by-update': async (h) => {
    h.single.target.createFailures = [new TicketValidationError('Invalid urgency', { status: 400 })];
    const { workflowId } = await h.single.start(body());
    await parked(h.client, workflowId);
    const handle = h.client.workflow.getHandle(workflowId);
    await handle.executeUpdate(abandonUpdate, { args: [{ reason: 'test row, no ticket wanted' }] });
    await expectOutcome(h.client, workflowId, 'abandoned');
    return { workflowId };
  },

  // A template that cannot render (a local activity's failure) parks instead of failing.
  'event-template-error-parked': async (h) => {
    const { workflowId } = await h.templateError.start(body({ new: { ...ROW, opened: 'not a date' } }));
    await parked(h.client, workflowId);
    const handle = h.client.workflow.getHandle(workflowId);
    await handle.executeUpdate(abandonUpdate, { args: [{ reason: 'bad date in the row' }] });
    await expectOutcome(h.client, workflowId, 'abandoned');
    return { workflowId };
  },

  // A batch `retry` signal that finds the event creating is ignored; the later park waits.
  'event-signal-before-park-ignored': async (h) => {
    const release = h.single.target.hold();
    h.single.target.createFailures = [new TicketValidationError('Invalid urgency', { status: 400 })];
    const { workflowId } = await h.single.start(body());
    const handle = h.client.workflow.getHandle(workflowId);
    await inState(h.client, workflowId, 'creating');
    await handle.signal(retrySignal);
    await eventually(async () => (await status(h.client, workflowId)).operatorNote?.includes('ignored') || undefined);
    release();
    await parked(h.client, workflowId);
    await handle.executeUpdate(abandonUpdate, { args: [{ reason: 'test row, no ticket wanted' }] });
    await expectOutcome(h.client, workflowId, 'abandoned');
    return { workflowId };
  },
};
