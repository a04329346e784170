import { Context } from '@temporalio/activity';
import type { TicketFields, TicketRef, TicketTarget } from '../ticketing/target';
import type { TicketSummary } from '../workflows/types';
import type { Logger } from '../logging';
import { toApplicationFailure } from './failures';

export interface CreateTicketInput {
  correlationId: string;
  fields: TicketFields;
  /** Look up the correlation key before creating: set after a reset or an operator retry. */
  lookupFirst: boolean;
}

export interface CreateTicketResult {
  ticket: TicketSummary;
  reusedExisting: boolean;
  attempt: number;
}

export interface DuplicateCheckResult {
  kept?: TicketSummary;
  cancelled: number;
}

const summarize = (ref: TicketRef): TicketSummary => ({ id: ref.id, number: ref.number, url: ref.url });

/** Runs one target call with the activity's cancellation wired to the HTTP request. */
async function withFailureMapping<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const context = Context.current();
  try {
    return await call(context.cancellationSignal);
  } catch (error) {
    throw toApplicationFailure(error, { attempt: context.info.attempt });
  }
}

export function createTicketActivities(deps: { target: TicketTarget; logger: Logger }) {
  const { target, logger } = deps;
  return {
    /**
     * Exactly one ticket per correlation key with the fewest calls: a first attempt of a fresh
     * workflow creates directly (1 call); any retry first looks for what an earlier attempt may
     * have created before its response was lost.
     */
    async createTicket(input: CreateTicketInput): Promise<CreateTicketResult> {
      const { attempt } = Context.current().info;
      return withFailureMapping(async (signal) => {
        if (attempt > 1 || input.lookupFirst) {
          const [existing] = await target.findByCorrelation(input.correlationId, { signal });
          if (existing) {
            logger.info({ correlationId: input.correlationId, ticket: existing.number, attempt }, 'ticket already exists; reusing it');
            return { ticket: summarize(existing), reusedExisting: true, attempt };
          }
        }
        const created = await target.create({ correlationId: input.correlationId, fields: input.fields }, { signal });
        logger.info({ correlationId: input.correlationId, ticket: created.number, attempt }, 'ticket created');
        return { ticket: summarize(created), reusedExisting: false, attempt };
      });
    },

    /** Keeps the oldest ticket of a correlation key and cancels the rest (a late-committed duplicate). */
    async cancelDuplicateTickets(input: { correlationId: string }): Promise<DuplicateCheckResult> {
      return withFailureMapping(async (signal) => {
        const [kept, ...duplicates] = await target.findByCorrelation(input.correlationId, { signal });
        for (const duplicate of duplicates.filter((ref) => !ref.closed)) {
          await target.cancelDuplicate(duplicate, kept, { signal });
          logger.warn({ correlationId: input.correlationId, kept: kept.number, cancelled: duplicate.number }, 'cancelled duplicate ticket');
        }
        return { kept: kept && summarize(kept), cancelled: duplicates.filter((ref) => !ref.closed).length };
      });
    },
  };
}
