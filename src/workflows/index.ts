export { hasuraEventWorkflow } from './event-workflow';
