import { z } from 'zod';
import type { BridgeConfig } from '../../config/bridge-config';
import type { TargetConfig } from '../../ticketing/target-config';
import { builtinTriggerDefaults } from '../../config/builtin';
import { ConfigError, formatZodIssues } from '../../common/config-error';
import { envBoolean, setVariables, type Env } from '../env';
import { secretFromEnv } from '../env';
import { type Secret } from '../../common/secret';
import { MAX_REQUEST_TIMEOUT_MS } from '../../ticketing/servicenow/options';
import type { ServiceNowAuth, ServiceNowOptions } from '../../ticketing/servicenow/options';
import { rootUrl } from './common';

export const ENV_TARGET_NAME = 'servicenow';

const schema = z.object({
  SERVICENOW_INSTANCE_URL: rootUrl,
  SERVICENOW_TABLE: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, 'must be a table name such as incident')
    .optional(),
  SERVICENOW_AUTH: z.enum(['basic', 'oauth-client-credentials', 'oauth-password', 'api-key']).default('basic'),
  SERVICENOW_USERNAME: z.string().optional(),
  SERVICENOW_CLIENT_ID: z.string().optional(),
  SERVICENOW_OAUTH_SCOPE: z.string().optional(),
  SERVICENOW_REQUEST_TIMEOUT_MS: z
    .string()
    .regex(/^\d+$/, 'must be a whole number of milliseconds')
    .transform(Number)
    .pipe(z.number().min(1000).max(MAX_REQUEST_TIMEOUT_MS, 'must stay below the 30 s activity timeout'))
    .optional(),
  SERVICENOW_INPUT_DISPLAY_VALUE: envBoolean.optional(),
});

const SECRETS = ['SERVICENOW_PASSWORD', 'SERVICENOW_CLIENT_SECRET', 'SERVICENOW_API_KEY'] as const;

/** What the ServiceNow target reads when the config has no `targets` (secrets also as NAME_FILE). */
export const SERVICENOW_VARIABLES: readonly string[] = [...Object.keys(schema.shape), ...SECRETS];

type ServiceNowEnv = z.infer<typeof schema>;

/**
 * ServiceNow settings from the environment, or undefined when SERVICENOW_INSTANCE_URL is unset.
 * Throws one error naming every offending variable; every secret may also come from `<NAME>_FILE`.
 */
export function serviceNowOptionsFromEnv(env: Env): ServiceNowOptions | undefined {
  if (!env.SERVICENOW_INSTANCE_URL) return undefined;
  const parsed = schema.safeParse(setVariables(env, Object.keys(schema.shape)));
  if (!parsed.success) throw new ConfigError(formatZodIssues(parsed.error));
  const problems: string[] = [];
  const auth = authFromEnv(parsed.data, env, problems);
  if (problems.length > 0 || !auth) throw new ConfigError(problems);
  return {
    instanceUrl: parsed.data.SERVICENOW_INSTANCE_URL,
    table: parsed.data.SERVICENOW_TABLE,
    auth,
    requestTimeoutMs: parsed.data.SERVICENOW_REQUEST_TIMEOUT_MS,
    inputDisplayValue: parsed.data.SERVICENOW_INPUT_DISPLAY_VALUE,
  };
}

function authFromEnv(values: ServiceNowEnv, env: Env, problems: string[]): ServiceNowAuth | undefined {
  const mode = values.SERVICENOW_AUTH;
  const value = (name: 'SERVICENOW_USERNAME' | 'SERVICENOW_CLIENT_ID'): string => {
    if (!values[name]) problems.push(`${name} is required when SERVICENOW_AUTH=${mode}`);
    return values[name] ?? '';
  };
  const secret = (name: (typeof SECRETS)[number]): Secret | undefined =>
    requiredSecret(env, name, `SERVICENOW_AUTH=${mode}`, problems);
  switch (mode) {
    case 'basic': {
      const username = value('SERVICENOW_USERNAME');
      const password = secret('SERVICENOW_PASSWORD');
      return password && { type: 'basic', username, password };
    }
    case 'api-key': {
      const apiKey = secret('SERVICENOW_API_KEY');
      return apiKey && { type: 'api-key', apiKey };
    }
    case 'oauth-client-credentials': {
      const clientId = value('SERVICENOW_CLIENT_ID');
      const clientSecret = secret('SERVICENOW_CLIENT_SECRET');
      const scope = values.SERVICENOW_OAUTH_SCOPE;
      return clientSecret && { type: 'oauth', grant: 'client_credentials', clientId, clientSecret, scope };
    }
    case 'oauth-password': {
      const [clientId, clientSecret] = [value('SERVICENOW_CLIENT_ID'), secret('SERVICENOW_CLIENT_SECRET')];
      const [username, password] = [value('SERVICENOW_USERNAME'), secret('SERVICENOW_PASSWORD')];
      const scope = values.SERVICENOW_OAUTH_SCOPE;
      if (!clientSecret || !password) return undefined;
      return { type: 'oauth', grant: 'password', clientId, clientSecret, username, password, scope };
    }
  }
}

/** Reports a missing or unreadable secret as a problem instead of stopping at the first one. */
function requiredSecret(env: Env, name: string, because: string, problems: string[]): Secret | undefined {
  try {
    const secret = secretFromEnv(env, name);
    if (!secret) problems.push(`${name} (or ${name}_FILE) is required when ${because}`);
    return secret;
  } catch (error) {
    problems.push(`${name}_FILE cannot be read: ${(error as Error).message}`);
    return undefined;
  }
}

/** ServiceNow from SERVICENOW_* variables, as the bridge was configured before config files. */
export function serviceNowTargetFromEnv(env: Env): TargetConfig {
  const options = serviceNowOptionsFromEnv(env);
  if (!options) {
    throw new ConfigError([
      'SERVICENOW_INSTANCE_URL: required (e.g. https://dev12345.service-now.com, or the simulator URL)',
    ]);
  }
  return { type: 'servicenow', ...options };
}

/** Without a config file: one ServiceNow target, the built-in mapping, lifecycle off. */
export function bridgeConfigFromEnv(env: Env): BridgeConfig {
  return {
    targets: { [ENV_TARGET_NAME]: serviceNowTargetFromEnv(env) },
    lookups: {},
    source: {},
    defaults: builtinTriggerDefaults(ENV_TARGET_NAME),
    triggers: {},
  };
}
