import { Client, Connection } from '@temporalio/client';
import type { ActivityDeps } from '../activities';
import type { WorkerSettings } from '../config/settings';
import { connectionOptions } from '../config/temporal';
import { dataConverterFor } from '../codec';
import type { Logger } from '../logging';
import { createEventMapper } from '../mapping/mapper';
import { createNotifier } from '../notify';
import { createTargets } from '../ticketing/create-targets';

export interface WorkerDependencies {
  deps: ActivityDeps;
  close(): Promise<void>;
}

/** Builds the activities' collaborators from the worker's settings; fails fast, naming what is wrong. */
export function workerDependencies(settings: WorkerSettings, context: { logger: Logger }): WorkerDependencies {
  const { bridge: config, temporal, policy } = settings;
  const targets = createTargets(config);
  const notifier = createNotifier(settings.notify, { logger: context.logger });
  // Lazy: only lifecycle triggers use it (signal-with-start of row workflows).
  const connection = Connection.lazy(connectionOptions(temporal));
  const dataConverter = dataConverterFor(settings.keyring);
  const client = new Client({ connection, namespace: temporal.namespace, dataConverter });
  const { logger } = context;
  const mapper = createEventMapper(config);
  return {
    deps: {
      targets: targets.targets,
      config,
      mapper,
      notifier,
      logger,
      temporal,
      client,
      policy,
      taskQueue: temporal.taskQueue,
    },
    async close() {
      await Promise.all([targets.close(), notifier.close(), connection.close()]);
    },
  };
}
