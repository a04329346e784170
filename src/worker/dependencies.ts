import { Client, Connection } from '@temporalio/client';
import type { ActivityDeps } from '../activities';
import type { WorkerSettings } from '../config/settings';
import { connectionOptions } from '../config/temporal';
import { dataConverterFor } from '../codec';
import type { Logger } from '../logging';
import { createEventMapper } from '../mapping/mapper';
import { createNotifier } from '../notify';
import { catchUp } from '../source/catch-up';
import { openSourcePool } from '../source/postgres';
import { createEventRouter } from '../starting/event-routing';
import { createEventStarter } from '../starting/event-starter';
import { createServiceNowChangeStarter } from '../starting/servicenow-change-starter';
import { createTargets } from '../ticketing/create-targets';
import { closeRowWriters, createRowWriters } from '../source/writers';

export interface WorkerDependencies {
  deps: ActivityDeps & { client: Client };
  close(): Promise<void>;
}

/** Builds the activities' collaborators from the worker's settings; fails fast, naming what is wrong. */
export function workerDependencies(settings: WorkerSettings, context: { logger: Logger }): WorkerDependencies {
  const { bridge: config, temporal, policy } = settings;
  const targets = createTargets(config, { requestsPerSecond: settings.ticketing?.maxActivitiesPerSecond });
  const notifier = createNotifier(settings.notify, { logger: context.logger });
  // Lazy: only lifecycle triggers use it (signal-with-start of row workflows).
  const connection = Connection.lazy(connectionOptions(temporal));
  const dataConverter = dataConverterFor(settings.keyring);
  const client = new Client({ connection, namespace: temporal.namespace, dataConverter });
  const { logger } = context;
  const mapper = createEventMapper(config);
  // The sweep starts events as the webhook would: same router, queue and ids (src/starting).
  const pool = config.source.postgres && openSourcePool(config.source);
  const router = createEventRouter(config);
  const starterOptions = { client, taskQueue: temporal.taskQueue, createQueue: temporal.createQueue, router };
  const starter = createEventStarter({ ...starterOptions, runningIsDuplicate: true });
  const changeStarter = createServiceNowChangeStarter({ client, taskQueue: temporal.taskQueue });
  const sweep = pool && ((input: { triggers: string[] }) => catchUp({ pool, starter, triggers: input.triggers }));
  // Lazy pools: no connection to the source before the first write-back.
  const writers = createRowWriters(config.source);
  return {
    deps: {
      ...{ targets: targets.targets, config, mapper, notifier, logger, temporal, client, policy },
      ...{ catchUp: sweep, startServiceNowChange: changeStarter.start, writers },
    },
    async close() {
      await Promise.all([targets.close(), notifier.close(), connection.close(), pool?.end(), closeRowWriters(writers)]);
    },
  };
}
