import { proxyActivities } from '@temporalio/workflow';
import type { BridgeActivities, CatchUpCounts, CatchUpInput } from '../contract';

/*
 * One sweep per Schedule action. The sweep is idempotent (each event's workflow id is fixed), so a
 * retried attempt only finds what the failed one started as already known.
 */
const { catchUpSweep } = proxyActivities<BridgeActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { maximumAttempts: 3, initialInterval: '30 seconds' },
});

/** Started by the worker's catch-up Schedule (CATCH_UP_INTERVAL); its result is the sweep's counts. */
export async function catchUpWorkflow(input: CatchUpInput): Promise<CatchUpCounts> {
  return catchUpSweep(input);
}
