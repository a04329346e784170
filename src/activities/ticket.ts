import { Context } from '@temporalio/activity';
import type { TicketFields, TicketTarget } from '../ticketing/target';
import type { TicketSummary } from '../workflows/types';
import type { Logger } from '../logging';
import { toApplicationFailure } from './failures';
import { summarize, targetNamed } from './targets';
import { activityLogger } from './log';

export interface CreateTicketInput {
  target: string;
  correlationId: string;
  fields: TicketFields;
  /** Look up the correlation key before creating: set after a reset or an operator retry. */
  lookupFirst: boolean;
}

export interface CreateTicketResult {
  target: string;
  ticket: TicketSummary;
  reusedExisting: boolean;
  attempt: number;
}

export interface DuplicateCheckResult {
  kept?: TicketSummary;
  cancelled: number;
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

export function createTicketActivities(deps: { targets: Record<string, TicketTarget>; logger: Logger }) {
  const { logger } = deps;
  return {
    /**
     * Exactly one ticket per correlation key with the fewest calls: a first attempt of a fresh
     * workflow creates directly (1 call); any retry first looks for what an earlier attempt may
     * have created before its response was lost.
     */
    async createTicket(input: CreateTicketInput): Promise<CreateTicketResult> {
      const { attempt } = Context.current().info;
      const log = activityLogger(logger);
      return withFailureMapping(async (signal) => {
        const target = targetNamed(deps.targets, input.target);
        if (attempt > 1 || input.lookupFirst) {
          const [existing] = await target.findByCorrelation(input.correlationId, { signal });
          if (existing) {
            log.info({ correlationId: input.correlationId, ticket: existing.number }, 'ticket already exists; reusing it');
            return { target: input.target, ticket: summarize(existing), reusedExisting: true, attempt };
          }
        }
        const created = await target.create({ correlationId: input.correlationId, fields: input.fields }, { signal });
        log.info({ correlationId: input.correlationId, ticket: created.number }, 'ticket created');
        return { target: input.target, ticket: summarize(created), reusedExisting: false, attempt };
      });
    },

    /** Keeps the oldest ticket of a correlation key and cancels the rest (a late-committed duplicate). */
    async cancelDuplicateTickets(input: { target: string; correlationId: string }): Promise<DuplicateCheckResult> {
      const log = activityLogger(logger);
      return withFailureMapping(async (signal) => {
        const target = targetNamed(deps.targets, input.target);
        const [kept, ...duplicates] = await target.findByCorrelation(input.correlationId, { signal });
        for (const duplicate of duplicates.filter((ref) => !ref.closed)) {
          await target.cancelDuplicate(duplicate, kept, { signal });
          log.warn({ correlationId: input.correlationId, kept: kept.number, cancelled: duplicate.number }, 'cancelled duplicate ticket');
        }
        return { kept: kept && summarize(kept), cancelled: duplicates.filter((ref) => !ref.closed).length };
      });
    },
  };
}
