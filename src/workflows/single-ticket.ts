import { ActivityFailure, ApplicationFailure, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { PERMANENT_ERROR_TYPES, statusQuery, ticketingQueueOf } from '../contract';
import type {
  BridgeActivities,
  EventOutcome,
  EventTicketFacts,
  EventTicketResult,
  EventWorkflowInput,
} from '../contract';
import { OperatorInbox } from './operator';
import { runWithRecovery, type StepInput } from './recovery';
import { RunPolicy } from './run-policy';
import { StatusTracker } from './status';
import { recoveryContext, settleOutcome, type TicketRun } from './ticket-outcome';

/**
 * The create's Temporal schedule, fixed here so the first workflow task needs nothing from the worker (a local
 * activity would be a marker, a billable action). createEventTicket enforces the worker's policy itself: each
 * call's timeout, the retry delays, and a non-retryable failure on the policy's last attempt (parks as before).
 * The 10 minutes and unlimited attempts only bound an attempt whose worker died; the heartbeat timeout finds that
 * sooner, and the activity heartbeats only once a call has run 10 s, so a quick create costs no heartbeat.
 */
function eventTicketActivities(taskQueue: string) {
  return proxyActivities<BridgeActivities>({
    taskQueue,
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '20 seconds',
    retry: {
      initialInterval: '2 seconds',
      backoffCoefficient: 2,
      maximumInterval: '5 minutes',
      nonRetryableErrorTypes: [...PERMANENT_ERROR_TYPES],
    },
  });
}

/**
 * On the workflow's own queue the server hands the create to the worker completing this workflow task (eager
 * activity dispatch); on the ticketing queue (inputs from before createQueue, or TICKET_CREATE_QUEUE=ticketing)
 * Temporal's limiter holds it back under a rate limit. Every attempt and operator retry of the run goes to the same.
 */
function createQueueOf(input: EventWorkflowInput): string {
  const { taskQueue } = workflowInfo();
  return input.createQueue === 'workflow' ? taskQueue : ticketingQueueOf(taskQueue);
}

/**
 * One `single` Hasura event, one ticket, at 3 billable actions on the happy path: the start, the create activity,
 * and one upsert of TicketStatus=created with IncidentNumber. Parks, operator retry / abandon, the status query,
 * the late-duplicate check and write-backs are hasuraEventWorkflow's (./ticket-outcome, ./recovery); it takes the
 * patches it was born with without a marker, later ones through patched() (./versions).
 */
export async function singleTicketWorkflow(input: EventWorkflowInput): Promise<EventOutcome> {
  const policy = new RunPolicy(input.policy);
  const tracker = new StatusTracker();
  const inbox = new OperatorInbox(tracker);
  setHandler(statusQuery, () => tracker.status);
  const info = workflowInfo();
  // A reset run (new runId in the same chain) may follow a run that already created the ticket.
  const resetRun = info.runId !== info.firstExecutionRunId;
  // The heartbeat timeout may start attempt 2 while attempt 1 can still send its create (./ticket-outcome).
  const run: TicketRun = { input, tracker, inbox, policy, resetRun, writeBackOn: true, attemptsOverlap: true };
  const result = await runWithRecovery(recoveryContext(run), input.event, resetRun, (step) => create(run, step));
  return settleOutcome(run, result);
}

async function create(run: TicketRun, step: StepInput): Promise<EventTicketResult> {
  const { input, tracker } = run;
  tracker.moveTo('creating');
  const call = {
    event: input.event,
    correlationId: input.correlationId,
    overrides: step.overrides,
    ticketMayExist: step.ticketMayExist,
    policy: input.policy,
    runStartedAt: workflowInfo().startTime.toISOString(),
  };
  try {
    const created = await eventTicketActivities(createQueueOf(input)).createEventTicket(call);
    learn(run, created);
    return created;
  } catch (error) {
    // A create that failed after the mapping says what it learned: the park writes back, notifies with the row key,
    // and needs no local activity for the worker's policy.
    const cause = error instanceof ActivityFailure ? error.cause : undefined;
    if (cause instanceof ApplicationFailure) learn(run, cause.details?.[1] as EventTicketFacts | undefined);
    throw error;
  }
}

function learn(run: TicketRun, facts: EventTicketFacts | undefined): void {
  if (!facts) return;
  run.policy.learn(facts.policy);
  run.plan = facts.writeBack;
  run.target = facts.target;
  run.tracker.status.rowKey = facts.rowKey;
}
