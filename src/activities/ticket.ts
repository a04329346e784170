import { Context } from '@temporalio/activity';
import type { CreateTicketInput, CreateTicketResult, TicketSummary } from '../contract';
import type { DuplicateCheckInput, DuplicateCheckResult } from '../contract';
import type { TicketRef, TicketTarget } from '../ticketing/ticket-target';
import type { Logger } from '../logging';
import { ticketMayExistAfter, toApplicationFailure } from './failures';
import { summarize, targetNamed } from './targets';
import { activityLogger } from './log';

/** Carried to the next attempt in the heartbeat details of the failed one. */
interface AttemptMemo {
  ticketMayExist: boolean;
}

/** Runs one target call with the activity's cancellation wired to the HTTP request. */
export async function withFailureMapping<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const context = Context.current();
  try {
    return await call(context.cancellationSignal);
  } catch (error) {
    throw toApplicationFailure(error, { attempt: context.info.attempt });
  }
}

/** `keep` first, then every other ticket found: a row keeps the ticket it holds, even when a search lags. */
function keepFirst(found: TicketRef[], keep: TicketSummary): TicketRef[] {
  return [found.find((ref) => ref.id === keep.id) ?? keep, ...found.filter((ref) => ref.id !== keep.id)];
}

export function createTicketActivities(deps: { targets: Record<string, TicketTarget>; logger: Logger }) {
  const { logger } = deps;
  return {
    /**
     * Exactly one ticket per correlation key with the fewest calls: a first attempt creates directly
     * (1 call). A retry looks the key up first only when an earlier attempt may have stored a ticket
     * (a timeout, a reset, a 500); after a refused or rate-limited call it creates directly again.
     */
    async createTicket(input: CreateTicketInput): Promise<CreateTicketResult> {
      const context = Context.current();
      const { attempt } = context.info;
      const log = activityLogger(logger);
      const earlier = context.info.heartbeatDetails as Partial<AttemptMemo> | undefined;
      // Unknown counts as "may exist": no memo (a crashed attempt), a memo or an input from an older worker.
      let ticketMayExist = (input.ticketMayExist ?? true) || (attempt > 1 && (earlier?.ticketMayExist ?? true));
      // Recorded before any write: if this attempt dies mid-request, the next one still looks first.
      context.heartbeat({ ticketMayExist: true } satisfies AttemptMemo);
      const result = (ticket: TicketSummary, reusedExisting: boolean): CreateTicketResult => ({
        target: input.target,
        ticket,
        reusedExisting,
        attempt,
      });
      return withFailureMapping(async (signal) => {
        const target = targetNamed(deps.targets, input.target);
        if (ticketMayExist) {
          const [existing] = await target.findByCorrelation(input.correlationId, { signal });
          if (existing) {
            log.info(
              { correlationId: input.correlationId, ticket: existing.number },
              'ticket already exists; reusing it',
            );
            return result(summarize(existing), true);
          }
        }
        try {
          const created = await target.create({ correlationId: input.correlationId, fields: input.fields }, { signal });
          log.info({ correlationId: input.correlationId, ticket: created.number }, 'ticket created');
          return result(summarize(created), false);
        } catch (error) {
          ticketMayExist = ticketMayExist || ticketMayExistAfter(error);
          // Only a provably refused write lets the next attempt skip the lookup.
          if (!ticketMayExist) context.heartbeat({ ticketMayExist: false } satisfies AttemptMemo);
          throw error;
        }
      });
    },

    /** Keeps the oldest ticket of a correlation key (or `keep`) and cancels the other open ones. */
    async cancelDuplicateTickets(input: DuplicateCheckInput): Promise<DuplicateCheckResult> {
      const log = activityLogger(logger);
      return withFailureMapping(async (signal) => {
        const target = targetNamed(deps.targets, input.target);
        const found = await target.findByCorrelation(input.correlationId, { signal });
        const [kept, ...duplicates] = input.keep ? keepFirst(found, input.keep) : found;
        for (const duplicate of duplicates.filter((ref) => !ref.closed)) {
          await target.cancelDuplicate(duplicate, kept, { signal });
          log.warn(
            { correlationId: input.correlationId, kept: kept.number, cancelled: duplicate.number },
            'cancelled duplicate ticket',
          );
        }
        return { kept: kept && summarize(kept), cancelled: duplicates.filter((ref) => !ref.closed).length };
      });
    },
  };
}
