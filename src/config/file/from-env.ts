import type { BridgeConfig, TargetConfig } from '../bridge-config';
import { ConfigError } from '../parse-env';
import { serviceNowOptionsFromEnv } from '../../ticketing/servicenow/env';
import { builtinTriggerDefaults } from './builtin';

export const ENV_TARGET_NAME = 'servicenow';

/** ServiceNow from SERVICENOW_* variables, as the bridge was configured before config files. */
export function serviceNowTargetFromEnv(env: NodeJS.ProcessEnv): TargetConfig {
  const options = serviceNowOptionsFromEnv(env);
  if (!options) {
    throw new ConfigError(['SERVICENOW_INSTANCE_URL: required (e.g. https://dev12345.service-now.com, or the simulator URL)']);
  }
  return { type: 'servicenow', ...options };
}

/** Without a config file: one ServiceNow target, the built-in mapping, lifecycle off. */
export function bridgeConfigFromEnv(env: NodeJS.ProcessEnv): BridgeConfig {
  return {
    targets: { [ENV_TARGET_NAME]: serviceNowTargetFromEnv(env) },
    lookups: {},
    defaults: builtinTriggerDefaults(ENV_TARGET_NAME),
    triggers: {},
  };
}
