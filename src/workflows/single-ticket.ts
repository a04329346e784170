import { ActivityFailure, ApplicationFailure, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { PERMANENT_ERROR_TYPES, statusQuery, TICKETING_QUEUE_REQUIRED, ticketingQueueOf } from '../contract';
import type {
  BridgeActivities,
  EventOutcome,
  EventTicketFacts,
  EventTicketInput,
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
  const queue: CreateQueueState = { onWorkflowQueue: input.createQueue === 'workflow' };
  const result = await runWithRecovery(recoveryContext(run), input.event, resetRun, (step) => create(run, queue, step));
  return settleOutcome(run, result);
}

/** Whether the create still goes to the workflow's own queue: false once a worker refused it there. */
interface CreateQueueState {
  onWorkflowQueue: boolean;
}

/**
 * On the workflow's own queue the create starts as this task completes (eager dispatch). A worker that rate-limits
 * ticket calls refuses it there before any call, so nothing was sent, and it runs on the ticketing queue, as every
 * later attempt or operator retry of this run does.
 */
async function createOn(queue: CreateQueueState, call: EventTicketInput): Promise<EventTicketResult> {
  const { taskQueue } = workflowInfo();
  if (queue.onWorkflowQueue) {
    try {
      return await eventTicketActivities(taskQueue).createEventTicket(call);
    } catch (error) {
      const cause = error instanceof ActivityFailure ? error.cause : undefined;
      if (!(cause instanceof ApplicationFailure && cause.type === TICKETING_QUEUE_REQUIRED)) throw error;
      queue.onWorkflowQueue = false;
    }
  }
  return eventTicketActivities(ticketingQueueOf(taskQueue)).createEventTicket(call);
}

async function create(run: TicketRun, queue: CreateQueueState, step: StepInput): Promise<EventTicketResult> {
  const { input, tracker } = run;
  tracker.moveTo('creating');
  const call: EventTicketInput = {
    event: input.event,
    correlationId: input.correlationId,
    overrides: step.overrides,
    ticketMayExist: step.ticketMayExist,
    policy: input.policy,
    runStartedAt: workflowInfo().startTime.toISOString(),
  };
  try {
    const created = await createOn(queue, call);
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
