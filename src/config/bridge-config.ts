// The bridge config's types; src/settings/file/load.ts builds one from BRIDGE_CONFIG (or SERVICENOW_*).
import type { CorrelationConfig } from '../common/correlation-tag';
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
  /**
   * The row's column holding its ticket's sys_id (a write-back column written as `{{ ticket.id }}`): inbound
   * writes only a row whose column holds the changed record's sys_id, atomically (README "ServiceNow back to the row").
   */
  ticketColumn: string;
}

/** Writes the ticket back into the event's row (README "Write-back"): rendered after ticket work or a park. */
export interface WritebackConfig {
  via: 'postgres' | 'hasura';
  /** Default: the event's own table. */
  table?: { schema: string; name: string };
  /** Column → template, written after a create, update, resolve or reopen. */
  columns: Record<string, string>;
  /** Column → template, written when the event is parked. */
  errorColumns: Record<string, string>;
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
  writeback?: WritebackConfig;
}

export interface BridgeConfig {
  targets: Record<string, TargetConfig>;
  lookups: Record<string, Record<string, string>>;
  source: SourceConfig;
  defaults: TriggerConfig;
  /** Effective: defaults already merged. */
  triggers: Record<string, TriggerConfig>;
  /** Signs row ticket keys; present whenever a lifecycle trigger is (the loader requires it). */
  correlation?: CorrelationConfig;
}

/**
 * What the webhook needs of the config to route events: which ops a trigger takes, its lifecycle and
 * write-back columns, the Hasura role the bridge writes as (`source.hasura.role`; not a secret), and the
 * secret that signs row ticket keys.
 */
export type BridgeRouting = Pick<BridgeConfig, 'defaults' | 'triggers' | 'correlation'> & { hasuraRole?: string };

/** The settings for a Hasura trigger; one the file does not name gets the defaults. */
export function triggerConfig(config: BridgeRouting, trigger: string): TriggerConfig {
  return Object.hasOwn(config.triggers, trigger) ? config.triggers[trigger] : config.defaults;
}
