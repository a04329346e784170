export { hasuraEventWorkflow } from './event-workflow';
export { singleTicketWorkflow } from './single-ticket';
export { rowTicketWorkflow } from './row-workflow';
export { servicenowChangeWorkflow, servicenowReconcileWorkflow } from './servicenow-change';
export { catchUpWorkflow } from './catch-up-workflow';
