export { hasuraEventWorkflow } from './event-workflow';
export { rowTicketWorkflow } from './row-workflow';
export { catchUpWorkflow } from './catch-up-workflow';
