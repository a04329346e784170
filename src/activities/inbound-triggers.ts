import type { BridgeConfig, TriggerConfig } from '../config/bridge-config';
import { ConfigError } from '../common/config-error';
import { compileTemplates, createLiquid, type CompiledTemplate } from '../templating/liquid';
import type { RowTrust } from './inbound-row-check';

/** What the inbound activities need of the config; the worker's whole BridgeConfig fits. */
export type InboundConfigView = Pick<BridgeConfig, 'triggers' | 'defaults' | 'correlation'> &
  Partial<Pick<BridgeConfig, 'lookups' | 'targets'>>;

/** A trigger with `inbound:`, its templates parsed once and its integration user settled. */
export interface InboundTrigger extends RowTrust {
  name: string;
  target: string;
  /** The target's table: records of other tables are not this trigger's tickets. */
  table: string;
  rowKey: string[];
  columns: Record<string, CompiledTemplate>;
  integrationUser?: string;
  /** The writer its rows are written through: its write-back's, which holds the ticket column. */
  via?: 'postgres' | 'hasura';
}

function integrationUserOf(trigger: TriggerConfig, config: InboundConfigView): string | undefined {
  const target = config.targets?.[trigger.target];
  const auth = target?.type === 'servicenow' ? target.auth : undefined;
  return trigger.inbound?.integrationUser ?? (auth && 'username' in auth ? auth.username : undefined);
}

/** Every trigger with `inbound:`; a template that does not parse stops the worker, naming the key. */
export function inboundTriggers(config: InboundConfigView, engine = createLiquid(config.lookups)): InboundTrigger[] {
  const problems: string[] = [];
  const found = Object.entries(config.triggers).flatMap(([name, trigger]): InboundTrigger[] => {
    if (!trigger.inbound) return [];
    const path = `triggers.${name}.inbound.columns`;
    const columns = compileTemplates(engine, trigger.inbound.columns, { path, problems, lookups: config.lookups });
    const target = config.targets?.[trigger.target];
    const table = (target?.type === 'servicenow' && target.table) || 'incident';
    const integrationUser = integrationUserOf(trigger, config);
    const via = trigger.writeback?.via;
    const { target: targetName, rowKey } = trigger;
    const trust = { writebackTable: trigger.writeback?.table, ticketColumn: trigger.inbound.ticketColumn };
    return columns ? [{ name, target: targetName, table, rowKey, columns, integrationUser, via, ...trust }] : [];
  });
  if (problems.length) throw new ConfigError(problems);
  return found;
}
