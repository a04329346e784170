import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { HasuraOp } from '../contract';
import type { JiraOptions } from '../ticketing/jira/options';
import type { RestTargetOptions } from '../ticketing/rest/options';
import type { ServiceNowOptions } from '../ticketing/servicenow/options';
import { bridgeConfigFromEnv } from './file/from-env';
import { resolveBridgeFile } from './file/resolve';
import { bridgeFileSchema } from './file/schema';
import { ConfigError, formatZodIssues } from './parse-env';

export type ServiceNowTargetConfig = { type: 'servicenow' } & ServiceNowOptions;
export type JiraTargetConfig = { type: 'jira' } & JiraOptions;
export type RestTargetConfig = { type: 'rest' } & RestTargetOptions;
export type TargetConfig = ServiceNowTargetConfig | JiraTargetConfig | RestTargetConfig;

export interface LifecycleConfig {
  enabled: boolean;
  manual: 'create' | 'upsert';
  onClosed: 'reopen' | 'create-new' | 'ignore';
  reorderWindowMs: number;
}

/** One trigger's effective settings: the file's `defaults` with the trigger's own keys on top. */
export interface TriggerConfig {
  target: string;
  ops: HasuraOp[];
  rowKey: string[];
  lifecycle: LifecycleConfig;
  fields: Record<string, string>;
  updateFields: Record<string, string>;
  resolveFields: Record<string, string>;
  workNote: string;
}

export interface BridgeConfig {
  targets: Record<string, TargetConfig>;
  lookups: Record<string, Record<string, string>>;
  defaults: TriggerConfig;
  /** Effective: defaults already merged. */
  triggers: Record<string, TriggerConfig>;
}

/**
 * The bridge's declarative configuration: the YAML file at `path` (default env BRIDGE_CONFIG), or,
 * without one, ServiceNow from SERVICENOW_* variables and the built-in mapping. Throws one ConfigError
 * listing every problem, each prefixed by its key path.
 */
export function loadBridgeConfig(options: { env: NodeJS.ProcessEnv; path?: string }): BridgeConfig {
  const path = options.path ?? options.env.BRIDGE_CONFIG;
  if (!path) return bridgeConfigFromEnv(options.env);
  const document = readYaml(path);
  const parsed = bridgeFileSchema(options.env).safeParse(document ?? {});
  if (!parsed.success) throw new ConfigError(formatZodIssues(parsed.error));
  return resolveBridgeFile(parsed.data, options.env);
}

/** The settings for a Hasura trigger; one the file does not name gets the defaults. */
export function triggerConfig(config: BridgeConfig, trigger: string): TriggerConfig {
  return Object.hasOwn(config.triggers, trigger) ? config.triggers[trigger] : config.defaults;
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
