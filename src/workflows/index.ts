export { hasuraEventWorkflow } from './event-workflow';
export { rowTicketWorkflow } from './row-workflow';
export { servicenowChangeWorkflow, servicenowReconcileWorkflow } from './servicenow-change';
export { catchUpWorkflow } from './catch-up-workflow';
