import { patched, workflowInfo } from '@temporalio/workflow';
import { SINGLE_TICKET_WORKFLOW_TYPE } from '../contract';

/**
 * `patched(id)` for code that several workflow types share. A type born after every patch of that code
 * (singleTicketWorkflow) always takes the new branch without recording a marker: it has no old histories to
 * replay, and every marker batch is a billable action on Temporal Cloud. Other types ask `patched` as before.
 */
export function hasChange(patchId: string): boolean {
  return workflowInfo().workflowType === SINGLE_TICKET_WORKFLOW_TYPE || patched(patchId);
}
