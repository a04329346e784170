import type { ActivityDeps } from '../activities';
import type { TemporalConfig } from '../config/temporal';
import type { Logger } from '../logging';
import { createEventMapper, DEFAULT_MAPPING } from '../mapping/mapper';
import { createNotifier, notifyConfigFromEnv } from '../notify';
import { createServiceNowTarget, serviceNowOptionsFromEnv } from '../ticketing/servicenow';
import { ConfigError } from '../config/parse-env';

export interface WorkerDependencies {
  deps: ActivityDeps;
  close(): Promise<void>;
}

/** Builds the activities' collaborators from the environment; fails fast, naming what is missing. */
export function dependenciesFromEnv(env: NodeJS.ProcessEnv, context: { logger: Logger; temporal: TemporalConfig }): WorkerDependencies {
  const serviceNow = serviceNowOptionsFromEnv(env);
  if (!serviceNow) throw new ConfigError(['SERVICENOW_INSTANCE_URL: required (e.g. https://dev12345.service-now.com, or the simulator URL)']);
  const target = createServiceNowTarget(serviceNow);
  const notifier = createNotifier(notifyConfigFromEnv(env), { logger: context.logger });
  return {
    deps: { target, notifier, mapper: createEventMapper(DEFAULT_MAPPING), logger: context.logger, temporal: context.temporal },
    async close() {
      await Promise.all([target.close(), notifier.close()]);
    },
  };
}
