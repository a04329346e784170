import { Context, type Info } from '@temporalio/activity';
import type { CreateTicketInput, CreateTicketResult, TicketSummary } from '../contract';
import type { DuplicateCheckInput, DuplicateCheckResult } from '../contract';
import type { TicketRef, TicketTarget } from '../ticketing/ticket-target';
import type { Logger } from '../logging';
import { ticketMayExistAfter, toApplicationFailure } from './failures';
import { summarize, targetNamed } from './targets';
import { activityLogger } from './log';

/**
 * Carried to the next attempt in the heartbeat details of the failed one. Temporal keeps the last
 * heartbeat that reached it, which may be an older attempt's: `attempt` says whose word it is.
 */
interface AttemptMemo {
  attempt: number;
  ticketMayExist: boolean;
}

export interface TicketDeps {
  targets: Record<string, TicketTarget>;
  logger: Logger;
}

/** Runs one target call with the activity's cancellation and the attempt's deadline wired to its HTTP requests. */
export async function withFailureMapping<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const context = Context.current();
  try {
    return await call(untilAttemptDeadline(context));
  } catch (error) {
    throw toApplicationFailure(error, { attempt: context.info.attempt });
  }
}

/**
 * Temporal times an attempt out without telling an activity that does not heartbeat, and the next attempt
 * starts. A write this attempt sent later (after a stall, slow token requests) could commit after that
 * attempt's late-duplicate check has looked: so no request of the attempt outlives its start-to-close timeout.
 */
function untilAttemptDeadline(context: Context): AbortSignal {
  const { startToCloseTimeoutMs } = context.info;
  if (!startToCloseTimeoutMs) return context.cancellationSignal;
  return AbortSignal.any([context.cancellationSignal, AbortSignal.timeout(startToCloseTimeoutMs)]);
}

/**
 * May an earlier attempt or run have stored the ticket? The input says so for a reset run, an operator
 * retry, an old event (absent, from an older worker: yes). A retry trusts only the memo of the attempt
 * just before it: that one's heartbeat may never have reached the server before it died mid-request, and
 * an older memo cannot speak for it.
 */
function earlierWriteMayExist(input: CreateTicketInput, info: Info): boolean {
  if (input.ticketMayExist ?? true) return true;
  if (info.attempt === 1) return false;
  const memo = info.heartbeatDetails as Partial<AttemptMemo> | undefined;
  return memo?.attempt !== info.attempt - 1 || memo.ticketMayExist !== false;
}

/**
 * Exactly one ticket per correlation key with the fewest calls: a first attempt creates directly
 * (1 call). A retry looks the key up first only when an earlier attempt may have stored a ticket
 * (a timeout, a reset, a 500); after a refused or rate-limited call it creates directly again.
 */
async function createTicket(deps: TicketDeps, input: CreateTicketInput): Promise<CreateTicketResult> {
  return withFailureMapping((signal) => createOrReuse(deps, input, signal));
}

/** createTicket's calls, in an activity, with the caller's abort signal; errors are the target's own. */
export async function createOrReuse(
  deps: TicketDeps,
  input: CreateTicketInput,
  signal: AbortSignal,
): Promise<CreateTicketResult> {
  const context = Context.current();
  const { attempt } = context.info;
  const log = activityLogger(deps.logger);
  const ticketMayExist = earlierWriteMayExist(input, context.info);
  // No heartbeat before the write (each one that reaches the server is a billable action on Temporal Cloud):
  // an attempt that dies mid-request leaves no memo of its own, and the next attempt, finding none from the
  // attempt just before it, looks first (earlierWriteMayExist). Only a provable refusal is worth recording.
  const result = (ticket: TicketSummary, reusedExisting: boolean): CreateTicketResult => {
    const message = reusedExisting ? 'ticket already exists; reusing it' : 'ticket created';
    log.info({ correlationId: input.correlationId, ticket: ticket.number }, message);
    return { target: input.target, ticket, reusedExisting, attempt, ticketMayExist };
  };
  const target = targetNamed(deps.targets, input.target);
  const ticket = { correlationId: input.correlationId, fields: input.fields };
  if (ticketMayExist) {
    const [existing] = await target.findByCorrelation(input.correlationId, { signal });
    if (existing) {
      // An earlier attempt's create may have stored the ticket without finishing it (Jira: its comment).
      const finished = (await target.finishCreate?.(existing, ticket, { signal })) ?? existing;
      return result(summarize(finished), true);
    }
  }
  try {
    const created = await target.create(ticket, { signal });
    return result(summarize(created), false);
  } catch (error) {
    // Only a provably refused write, after attempts that wrote nothing, lets the next attempt skip the lookup.
    if (!ticketMayExist && !ticketMayExistAfter(error))
      context.heartbeat({ attempt, ticketMayExist: false } satisfies AttemptMemo);
    throw error;
  }
}

/** `keep` first, then every other ticket found: a row keeps the ticket it holds, even when a search lags. */
function keepFirst(found: TicketRef[], keep: TicketSummary): TicketRef[] {
  return [found.find((ref) => ref.id === keep.id) ?? keep, ...found.filter((ref) => ref.id !== keep.id)];
}

/** Keeps the oldest ticket of a correlation key (or `keep`) and cancels the other open ones (late commits). */
async function cancelDuplicateTickets(deps: TicketDeps, input: DuplicateCheckInput): Promise<DuplicateCheckResult> {
  const log = activityLogger(deps.logger);
  return withFailureMapping(async (signal) => {
    const target = targetNamed(deps.targets, input.target);
    const found = await target.findByCorrelation(input.correlationId, { signal });
    const [kept, ...others] = input.keep ? keepFirst(found, input.keep) : found;
    const duplicates = others.filter((ref) => !ref.closed);
    for (const duplicate of duplicates) {
      await target.cancelDuplicate(duplicate, kept, { signal });
      const cancelled = duplicate.number;
      log.warn({ correlationId: input.correlationId, kept: kept.number, cancelled }, 'cancelled duplicate ticket');
    }
    return { kept: kept && summarize(kept), cancelled: duplicates.length };
  });
}

export function createTicketActivities(deps: TicketDeps) {
  return {
    createTicket: (input: CreateTicketInput) => createTicket(deps, input),
    cancelDuplicateTickets: (input: DuplicateCheckInput) => cancelDuplicateTickets(deps, input),
  };
}
