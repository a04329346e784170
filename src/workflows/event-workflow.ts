import { patched, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { isOldEvent, PERMANENT_ERROR_TYPES, statusQuery } from '../contract';
import type { BridgeActivities, CreateTicketResult, EventOutcome, EventWorkflowInput } from '../contract';
import { forwardToRow } from './forward';
import { OperatorInbox } from './operator';
import { runWithRecovery, type StepInput } from './recovery';
import { RunPolicy } from './run-policy';
import { StatusTracker } from './status';
import { ticketActivities } from './ticket-calls';
import { CREATE_PATH_PATCHES, recoveryContext, settleOutcome, type TicketRun } from './ticket-outcome';
import { WRITE_BACK_PATCH } from './write-back';

const { transformEvent } = proxyLocalActivities<BridgeActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3, nonRetryableErrorTypes: [...PERMANENT_ERROR_TYPES] },
});

interface Run extends TicketRun {
  lookupOldEvents: boolean;
}

/**
 * One Hasura event. A `single` event becomes exactly one ticket; a `row` event is handed to its
 * row's workflow, which keeps that row's one ticket in step with the row. From issue 16 on the webhook starts
 * singleTicketWorkflow for a `single` event; this type still runs the ones started before.
 */
export async function hasuraEventWorkflow(input: EventWorkflowInput): Promise<EventOutcome> {
  const policy = new RunPolicy(input.policy);
  const tracker = new StatusTracker();
  const inbox = new OperatorInbox(tracker);
  setHandler(statusQuery, () => tracker.status);
  const { route } = input;
  if (route?.kind === 'row') return forwardToRow({ tracker, inbox, policy }, input, route);
  const info = workflowInfo();
  // A reset run (new runId in the same chain) may follow a run that already created the ticket.
  const resetRun = info.runId !== info.firstExecutionRunId;
  // Asked before the first local activity: a local activity's result may reach the code in a later workflow
  // task than on replay, and a patch marker must be met in the same workflow task both times.
  const lookupOldEvents = patched(CREATE_PATH_PATCHES.oldEvent);
  const writeBackOn = patched(WRITE_BACK_PATCH);
  const run: Run = { input, tracker, inbox, policy, lookupOldEvents, resetRun, writeBackOn };
  const result = await runWithRecovery(recoveryContext(run), input.event, resetRun, (step) => create(run, step));
  return settleOutcome(run, result);
}

async function create(run: Run, step: StepInput): Promise<CreateTicketResult> {
  const { input, tracker, policy, lookupOldEvents } = run;
  tracker.moveTo('transforming');
  const mapped = await transformEvent({ event: input.event, overrides: step.overrides });
  policy.learn(mapped.policy);
  run.plan = mapped.writeBack;
  run.target = mapped.target;
  tracker.moveTo('creating', { rowKey: mapped.rowKey });
  const known = await policy.get();
  const ticketMayExist =
    step.ticketMayExist || (lookupOldEvents && isOldEvent(input.event, known, workflowInfo().startTime));
  const call = { target: mapped.target, correlationId: input.correlationId, fields: mapped.fields, ticketMayExist };
  const created = await ticketActivities(known).createTicket(call);
  // A worker from before the field does not say; then any retry, or a lookup-first create, may race a write.
  return { ...created, ticketMayExist: created.ticketMayExist ?? (ticketMayExist || created.attempt > 1) };
}
