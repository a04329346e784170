import { patched } from '@temporalio/workflow';
import type { RowOutcome, RowWorkflowInput } from '../contract';
import { askRecoveryPatches } from './recovery';
import { RowRun } from './row-run';
import { legacyRowTicketWorkflow } from './row-workflow-legacy';

/** Runs recorded before issue 12 have no marker of it: they keep ordering by created_at alone. */
export const ROW_LIFECYCLE_PATCH = '12-row-lifecycle';

/**
 * The one ticket of one row (lifecycle triggers). Events arrive by signal in any order and any
 * number of times; the ticket is always brought to the row's newest change, in the database's order
 * (./row-chain.ts), so it ends as the row ends however deliveries were shuffled.
 */
export async function rowTicketWorkflow(input: RowWorkflowInput): Promise<RowOutcome> {
  if (!patched(ROW_LIFECYCLE_PATCH)) return legacyRowTicketWorkflow(input);
  askRecoveryPatches(); // with the run's other markers, one billable marker batch (./recovery.ts)
  return new RowRun(input).run();
}
