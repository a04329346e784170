import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { BridgeConfig, BridgeRouting } from '../../config/bridge-config';
import type { TargetConfig } from '../../ticketing/target-config';
import { ConfigError, formatZodIssues } from '../../common/config-error';
import { type Env } from '../env';
import { bridgeConfigFromEnv, ENV_TARGET_NAME, SERVICENOW_VARIABLES, serviceNowTargetFromEnv } from './from-env';
import { resolveRouting } from './resolve';
import { bridgeFileSchema, type BridgeFile } from './schema';
import { SECRETS_NOT_READ, secretsFrom, type SecretSource } from './secret-ref';

/** What loadBridgeConfig reads, besides the variables the file's secret references name. */
export const BRIDGE_CONFIG_VARIABLES: readonly string[] = ['BRIDGE_CONFIG', ...SERVICENOW_VARIABLES];
/** What loadBridgeRouting reads. */
export const BRIDGE_ROUTING_VARIABLES: readonly string[] = ['BRIDGE_CONFIG'];

/**
 * The bridge's declarative configuration: the YAML file at `path` (default env BRIDGE_CONFIG), or,
 * without one, ServiceNow from SERVICENOW_* variables and the built-in mapping. Throws one ConfigError
 * listing every problem, each prefixed by its key path.
 */
export function loadBridgeConfig(options: { env: Env; path?: string }): BridgeConfig {
  const path = options.path ?? options.env.BRIDGE_CONFIG;
  if (!path) return bridgeConfigFromEnv(options.env);
  const file = parseBridgeFile(path, secretsFrom(options.env));
  const problems: string[] = [];
  const targets = file.targets ?? targetsFromEnv(options.env, problems);
  const { defaults, triggers, correlation } = resolveRouting(file, Object.keys(targets), problems);
  checkInboundTargets(triggers, targets, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return { targets, lookups: file.lookups, source: file.source, defaults, triggers, correlation };
}

/**
 * The webhook's view of BRIDGE_CONFIG, checked the same way, except that secret references other than
 * `correlation.secret` (it signs the row keys the webhook builds) are not read and a file without `targets`
 * needs no SERVICENOW_*: the webhook only decides how an event is routed, so it holds no ticketing
 * credential. Undefined without a file: every event is its own ticket.
 */
export function loadBridgeRouting(env: Env): BridgeRouting | undefined {
  if (!env.BRIDGE_CONFIG) return undefined;
  const file = parseBridgeFile(env.BRIDGE_CONFIG, SECRETS_NOT_READ, secretsFrom(env));
  const problems: string[] = [];
  const routing = resolveRouting(file, Object.keys(file.targets ?? { [ENV_TARGET_NAME]: true }), problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return routing;
}

/** `inbound:` reads ServiceNow records and must know the bridge's own user to ignore its changes. */
function checkInboundTargets(
  triggers: BridgeConfig['triggers'],
  targets: Record<string, TargetConfig>,
  problems: string[],
) {
  for (const [name, trigger] of Object.entries(triggers)) {
    const target = targets[trigger.target];
    if (!trigger.inbound || !target) continue;
    if (target.type !== 'servicenow') {
      problems.push(`triggers.${name}.inbound: needs a servicenow target (${trigger.target} is ${target.type})`);
    } else if (!trigger.inbound.integrationUser && !('username' in target.auth && target.auth.username)) {
      const why = `the target authenticates without a user name, so name the user its changes are made as`;
      problems.push(`triggers.${name}.inbound.integration_user: required: ${why}`);
    }
  }
}

function parseBridgeFile(path: string, secrets: SecretSource, correlationSecrets = secrets): BridgeFile {
  const parsed = bridgeFileSchema(secrets, correlationSecrets).safeParse(readYaml(path) ?? {});
  if (!parsed.success) throw new ConfigError(formatZodIssues(parsed.error));
  return parsed.data;
}

function targetsFromEnv(env: Env, problems: string[]): Record<string, TargetConfig> {
  try {
    return { [ENV_TARGET_NAME]: serviceNowTargetFromEnv(env) };
  } catch (error) {
    const reasons = error instanceof ConfigError ? error.problems : [(error as Error).message];
    const because = 'targets: absent, so ServiceNow comes from the environment, but';
    problems.push(...reasons.map((reason) => `${because} ${reason}`));
    return {};
  }
}

function readYaml(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`BRIDGE_CONFIG: cannot read ${path}: ${(error as Error).message}`]);
  }
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(document.errors.map((error) => `${path}: YAML ${error.message.split('\n')[0]}`));
  }
  return document.toJS({ maxAliasCount: 100 });
}
