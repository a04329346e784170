import { ApplicationFailure, Context } from '@temporalio/activity';
import { isOldEvent, resolvePolicy } from '../contract';
import type { BridgeActivities, EventPolicy, EventTicketFacts, EventTicketInput, EventTicketResult } from '../contract';
import type { Logger } from '../logging';
import { attemptsSpent, toApplicationFailure, underSchedule } from './failures';
import { createOrReuse, type TicketDeps } from './ticket';
import { mapEvent, type TransformDeps } from './transform';

type EventTicketDeps = TicketDeps & TransformDeps;

/** A call running this long heartbeats (every HEARTBEAT_EVERY_MS), so a dead worker's attempt times out in 20 s. */
const HEARTBEAT_AFTER_MS = 10_000;
const HEARTBEAT_EVERY_MS = 5_000;

/**
 * Heartbeats only for a slow call: each heartbeat that reaches the server is a billable action, and a quick create
 * needs none. Without details, so the next attempt finds no memo of this one and looks the ticket up first.
 */
function heartbeatWhileSlow(context: Context): () => void {
  let every: NodeJS.Timeout | undefined;
  const start = setTimeout(() => {
    context.heartbeat();
    every = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
  }, HEARTBEAT_AFTER_MS);
  return () => {
    clearTimeout(start);
    clearInterval(every);
  };
}

/** The failure with what the mapping learned as `details[1]`: the workflow parks with the row key and write-backs. */
function carrying(failure: ApplicationFailure, facts: EventTicketFacts | undefined): ApplicationFailure {
  if (!facts) return failure;
  const { message, type, nonRetryable, nextRetryDelay, cause } = failure;
  const details = [failure.details?.[0], facts];
  return ApplicationFailure.create({
    message,
    type: type ?? undefined,
    nonRetryable: nonRetryable ?? false,
    details,
    cause,
    nextRetryDelay: nextRetryDelay ?? undefined,
  });
}

/**
 * singleTicketWorkflow's one activity: the mapping, the old-event rule and the create, under the worker's policy
 * (the input's overrides win) that the workflow's fixed schedule does not know: the attempt's deadline
 * (TICKET_ATTEMPT_TIMEOUT, from the attempt's start: no request outlives it), the retry delays, the last attempt.
 */
async function createEventTicket(deps: EventTicketDeps, input: EventTicketInput): Promise<EventTicketResult> {
  const context = Context.current();
  const { attempt } = context.info;
  const policy: EventPolicy = resolvePolicy(input.policy, deps.policy);
  // Thrown after the mapping: a park after attempts that all timed out needs its target to look the ticket up.
  const spent = attemptsSpent(attempt, policy.ticketRetry);
  // Temporal ends the attempt at its start-to-close without telling the activity: no request may outlive either.
  const deadlineMs = Math.min(policy.attemptTimeoutMs, context.info.startToCloseTimeoutMs ?? Infinity);
  const signal = AbortSignal.any([context.cancellationSignal, AbortSignal.timeout(deadlineMs)]);
  const stopHeartbeats = heartbeatWhileSlow(context);
  let facts: EventTicketFacts | undefined;
  try {
    const mapped = await mapEvent(deps, { event: input.event, overrides: input.overrides });
    const { rowKey, target } = mapped;
    facts = { policy: deps.policy, rowKey, target, ...(mapped.writeBack && { writeBack: mapped.writeBack }) };
    if (spent) throw spent;
    const oldEvent = isOldEvent(input.event, policy, new Date(input.runStartedAt));
    const ticketMayExist = input.ticketMayExist || oldEvent;
    const call = { target: mapped.target, correlationId: input.correlationId, fields: mapped.fields, ticketMayExist };
    return { ...(await createOrReuse(deps, call, signal)), ...facts };
  } catch (error) {
    if (spent && error === spent) throw carrying(spent, facts);
    throw carrying(underSchedule(toApplicationFailure(error, { attempt }), attempt, policy.ticketRetry), facts);
  } finally {
    stopHeartbeats();
  }
}

export function createEventTicketActivities(deps: EventTicketDeps) {
  return { createEventTicket: (input: EventTicketInput) => createEventTicket(deps, input) };
}

/** How often a rate-limited worker repeats that creates reach its workflow queues. */
const OFF_QUEUE_WARNING_EVERY_MS = 10 * 60_000;

/**
 * The activities of a rate-limited worker's workflow queues. A create reaches them only from a starter without
 * TICKET_CREATE_QUEUE=ticketing (a webhook or catch-up CLI configured apart from this worker). It runs like any create:
 * the in-process limit still holds the rate, and a retry looks the ticket up first. But Temporal's limiter does not
 * hold it back, so it may spend its attempt's deadline waiting for a turn: the log says what to set.
 */
export function warningOfCreatesOffTicketingQueue<T extends Pick<BridgeActivities, 'createEventTicket'>>(
  activities: T,
  logger: Logger,
): T {
  let warnedAt = -Infinity;
  const createEventTicket = (input: EventTicketInput) => {
    if (Date.now() - warnedAt >= OFF_QUEUE_WARNING_EVERY_MS) {
      warnedAt = Date.now();
      const { taskQueue } = Context.current().info;
      logger.warn(
        { taskQueue, correlationId: input.correlationId },
        'a create reached a workflow queue of a worker that rate-limits ticket calls: set ' +
          'TICKET_CREATE_QUEUE=ticketing on the webhook and the catch-up CLI, so Temporal holds creates back there',
      );
    }
    return activities.createEventTicket(input);
  };
  return { ...activities, createEventTicket };
}
