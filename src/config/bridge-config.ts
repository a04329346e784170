// The bridge config's types; src/settings/file/load.ts builds one from BRIDGE_CONFIG (or SERVICENOW_*).
import type { HasuraOp } from '../contract';
import type { TargetConfig } from '../ticketing/target-config';
import type { SourceConfig } from './source';

export interface LifecycleConfig {
  enabled: boolean;
  manual: 'create' | 'upsert';
  onClosed: 'reopen' | 'create-new' | 'ignore';
  reorderWindowMs: number;
}

/** ServiceNow changes flowing back to the trigger's rows (issue 14). */
export interface InboundConfig {
  /** Source column → Liquid template over `record` (the re-read ServiceNow record, every value a string). */
  columns: Record<string, string>;
  /** sys_updated_by of the bridge's own changes; absent: the target's user name. */
  integrationUser?: string;
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
  inbound?: InboundConfig;
}

export interface BridgeConfig {
  targets: Record<string, TargetConfig>;
  lookups: Record<string, Record<string, string>>;
  source: SourceConfig;
  defaults: TriggerConfig;
  /** Effective: defaults already merged. */
  triggers: Record<string, TriggerConfig>;
}

/** What the webhook needs of the config to route events: which ops a trigger takes and its lifecycle. */
export type BridgeRouting = Pick<BridgeConfig, 'defaults' | 'triggers'>;

/** The settings for a Hasura trigger; one the file does not name gets the defaults. */
export function triggerConfig(config: BridgeRouting, trigger: string): TriggerConfig {
  return Object.hasOwn(config.triggers, trigger) ? config.triggers[trigger] : config.defaults;
}
