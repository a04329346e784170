export { hasuraEventWorkflow } from './event-workflow';
export { rowTicketWorkflow } from './row-workflow';
export { servicenowChangeWorkflow, servicenowReconcileWorkflow } from './servicenow-change';
