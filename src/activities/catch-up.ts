import { ApplicationFailure } from '@temporalio/activity';
import type { BridgeActivities, CatchUpCounts, CatchUpInput } from '../contract';
import type { Logger } from '../logging';
import { activityLogger } from './log';

export interface CatchUpDeps {
  logger: Logger;
  /** The sweep over the source database (src/source/catch-up.ts), built by the worker with its pool. */
  catchUp?: (input: CatchUpInput) => Promise<CatchUpCounts>;
}

export function createCatchUpActivities(deps: CatchUpDeps): Pick<BridgeActivities, 'catchUpSweep'> {
  return {
    async catchUpSweep(input) {
      // A worker without source.postgres.url cannot sweep; retrying on it would not help.
      if (!deps.catchUp) {
        throw ApplicationFailure.nonRetryable('this worker has no source.postgres.url to sweep', 'SourceNotConfigured');
      }
      const counts = await deps.catchUp(input);
      activityLogger(deps.logger).info({ ...counts, triggers: input.triggers }, 'catch-up sweep done');
      return counts;
    },
  };
}
