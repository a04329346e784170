import { Client, Connection } from '@temporalio/client';
import type { ActivityDeps } from '../activities';
import { loadBridgeConfig } from '../config/bridge-config';
import { eventPolicyFromEnv } from '../config/policy';
import { connectionOptions, type TemporalConfig } from '../config/temporal';
import { dataConverterFromEnv } from '../codec';
import type { Logger } from '../logging';
import { createEventMapper } from '../mapping/mapper';
import { createNotifier, notifyConfigFromEnv } from '../notify';
import { createTargets } from '../ticketing/create-targets';

export interface WorkerDependencies {
  deps: ActivityDeps;
  close(): Promise<void>;
}

/** Builds the activities' collaborators from the environment (and BRIDGE_CONFIG); fails fast, naming what is wrong. */
export function dependenciesFromEnv(env: NodeJS.ProcessEnv, context: { logger: Logger; temporal: TemporalConfig }): WorkerDependencies {
  const config = loadBridgeConfig({ env });
  const targets = createTargets(config);
  const notifier = createNotifier(notifyConfigFromEnv(env), { logger: context.logger });
  // Lazy: only lifecycle triggers use it (signal-with-start of row workflows).
  const connection = Connection.lazy(connectionOptions(context.temporal));
  const client = new Client({ connection, namespace: context.temporal.namespace, dataConverter: dataConverterFromEnv(env) });
  return {
    deps: {
      targets: targets.targets, config, mapper: createEventMapper(config), notifier, logger: context.logger,
      temporal: context.temporal, policy: eventPolicyFromEnv(env), client,
    },
    async close() {
      await Promise.all([targets.close(), notifier.close(), connection.close()]);
    },
  };
}
