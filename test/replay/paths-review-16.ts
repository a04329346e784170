import { abandonSignal } from '../../src/contract';
import type { EventOutcome } from '../../src/contract';
import { TicketValidationError } from '../../src/ticketing/errors';
import { afterCall, timedOut } from '../helpers/fake-target';
import type { Lane } from './recorder-harness';
import { body, expectOutcome, parked, type Path } from './recording-steps';
import type { Harness } from './recorder-harness';

/**
 * Issue 16's review, patched('16-review-abandon-looks-up-late-write'): an abandon after a possible write waits the
 * late window and looks the correlation key up. Attempt 1 times out and its ticket commits right after attempt 2's
 * lookup missed it (or it stores nothing); attempt 2 is refused for good; the event parks.
 */
async function abandonAfterRetry(h: Harness, start: Lane['start'], stored: boolean, expected: EventOutcome['status']) {
  h.single.target.calls.length = 0;
  h.single.target.createFailures = [
    stored ? { answer: timedOut(), commitWhen: afterCall('find', 1) } : timedOut(),
    new TicketValidationError('Invalid urgency', { status: 400 }),
  ];
  const { workflowId } = await start(body());
  await parked(h.client, workflowId);
  await h.client.workflow.getHandle(workflowId).signal(abandonSignal, { reason: 'bad data' });
  const outcome = await expectOutcome(h.client, workflowId, expected);
  if (outcome.status === 'created' && !outcome.note) throw new Error(`no note: ${JSON.stringify(outcome)}`);
  return { workflowId };
}

export const REVIEW_16_PATHS: Record<string, Path> = {
  // singleTicketWorkflow: the late ticket is found, the event is created with it.
  'event-abandoned-after-late-write': (h) => abandonAfterRetry(h, h.single.start, true, 'created'),
  // singleTicketWorkflow: nothing was stored, the lookup finds nothing, the event is abandoned.
  'event-abandoned-nothing-found': (h) => abandonAfterRetry(h, h.single.start, false, 'abandoned'),
  // hasuraEventWorkflow, started before issue 16 and parked after the upgrade: the same rule.
  'event-abandoned-after-late-write-before-16-type': (h) =>
    abandonAfterRetry(h, h.single.startBefore16, true, 'created'),
};
