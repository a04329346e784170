import { patched, workflowInfo } from '@temporalio/workflow';
import { SINGLE_TICKET_WORKFLOW_TYPE } from '../contract';

/**
 * The patches of shared code that existed when singleTicketWorkflow was born (issue 16, commit e34a29c): its
 * histories never hold their markers, because it always took their new branch. Frozen: a patch added later must
 * reach this type through `patched()` too, or its new branch would meet the type's older histories on replay.
 */
export const SINGLE_TICKET_BIRTH_PATCHES: readonly string[] = Object.freeze([
  '11-late-check-after-possible-write',
  '11-report-kept-ticket',
  '11-review-reset-check-waits-old-attempt',
  '11-notify-cannot-fail',
  '11-ignore-unparked-signals',
  '11-park-local-activity-failure',
  '11-review-park-without-worker-policy',
  '15-worker-policy',
  '16-fewer-actions',
]);

/**
 * `patched(id)` for code that several workflow types share. singleTicketWorkflow takes the patches it was born
 * with without recording a marker (every marker batch is a billable action on Temporal Cloud); any other patch,
 * and every patch of the other types, is asked of `patched` as usual.
 */
export function hasChange(patchId: string): boolean {
  const born =
    workflowInfo().workflowType === SINGLE_TICKET_WORKFLOW_TYPE && SINGLE_TICKET_BIRTH_PATCHES.includes(patchId);
  return born || patched(patchId);
}
