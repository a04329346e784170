import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { serviceNowChangeStart, type ServiceNowChange } from '../contract';
import { servicenowChangeWorkflow } from '../workflows';
import { temporalRefusal } from './temporal-refusals';

/**
 * The one way a ServiceNow change's workflow is started: by the webhook for the business rule's call
 * and by the reconciler's sweep, with the same id and policies (src/contract/servicenow-changes.ts).
 */
export interface ServiceNowChangeStarter {
  start(change: ServiceNowChange): Promise<{ workflowId: string; duplicate: boolean }>;
}

export function createServiceNowChangeStarter(options: {
  client: Client;
  taskQueue: string;
  startTimeoutMs?: number;
}): ServiceNowChangeStarter {
  const { client, taskQueue } = options;
  const deadline = () => Date.now() + (options.startTimeoutMs ?? 5_000);
  return {
    async start(change) {
      const start = serviceNowChangeStart(change, taskQueue, randomUUID());
      try {
        await client.connection.withDeadline(deadline(), () => client.workflow.start(servicenowChangeWorkflow, start));
        return { workflowId: start.workflowId, duplicate: false };
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError)
          return { workflowId: start.workflowId, duplicate: true };
        throw temporalRefusal(error, client.options.namespace) ?? error;
      }
    },
  };
}
