export { hasuraEventWorkflow } from './event-workflow';
export { rowTicketWorkflow } from './row-workflow';
