import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { createEventStarter } from '../../src/starting/event-starter';
import { temporalConnectionFromEnv } from '../../src/settings/temporal';
import { connectionOptions } from '../../src/config/temporal';
import type { HasuraEventBody } from '../../src/hasura/event-schema';
import { benchEventBody } from './events';
import { runLanes } from './lanes';
import type { LoadResult, StartLoadOptions } from './load-types';
import { TRIVIAL_WORKFLOW_TYPE } from './trivial-workflow-type';

type StartOne = () => Promise<boolean>;

/** The floor: the webhook's own start call (same client, options and connection settings) with no HTTP in front. */
function starterFor(options: StartLoadOptions, client: Client): StartOne {
  const { taskQueue } = temporalConnectionFromEnv(options.env);
  if (options.workflow === 'trivial') {
    return async () => {
      const id = randomUUID();
      await client.workflow.start(TRIVIAL_WORKFLOW_TYPE, {
        workflowId: `trivial-${id}`,
        taskQueue,
        args: [{ correlationId: `trivial:${id}` }],
      });
      return true;
    };
  }
  // Like the webhook's: no policy in the input, the worker's applies.
  const starter = createEventStarter({ client, taskQueue });
  return async () => !(await starter.start(benchEventBody() as HasuraEventBody)).duplicate;
}

export async function runStartLoad(options: StartLoadOptions): Promise<LoadResult> {
  const temporal = temporalConnectionFromEnv(options.env);
  const connection = Connection.lazy(connectionOptions(temporal));
  try {
    return await runLanes(options, starterFor(options, new Client({ connection, namespace: temporal.namespace })));
  } finally {
    await connection.close();
  }
}
