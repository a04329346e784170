import type { BridgeRouting, TriggerConfig } from '../../config/bridge-config';
import { builtinTriggerDefaults } from '../../config/builtin';
import { compileTemplates, createLiquid } from '../../templating/liquid';
import { compileRestTemplates } from '../../ticketing/rest/templates';
import { ENV_TARGET_NAME } from './from-env';
import { toCorrelationConfig } from './correlation-schema';
import type { BridgeFile } from './schema';
import type { TriggerInput } from './trigger-schema';
import { checkInbound, toInboundConfig } from './inbound';
import { checkWriteback, toWritebackConfig, type WritebackCheck } from './writeback';

/**
 * The effective triggers of a schema-valid file, checked against the configured target names; every
 * cross-reference problem is added to `problems` so the caller reports them all at once.
 */
export function resolveRouting(file: BridgeFile, targetNames: string[], problems: string[]): BridgeRouting {
  const defaultTarget = file.defaults.target ?? (targetNames.length === 1 ? targetNames[0] : undefined);
  if (!defaultTarget && targetNames.length > 1) {
    problems.push(`defaults.target: required when several targets are configured (${targetNames.join(', ')})`);
  }
  const defaults = mergeTrigger(builtinTriggerDefaults(defaultTarget ?? ENV_TARGET_NAME), file.defaults);
  const triggers = Object.fromEntries(
    Object.entries(file.triggers).map(([name, trigger]) => [name, mergeTrigger(defaults, trigger)]),
  );
  const check = {
    targetNames,
    engine: createLiquid(file.lookups),
    lookups: file.lookups,
    source: file.source,
    problems,
  };
  checkSection(file.defaults, { ...check, path: 'defaults' });
  for (const [name, trigger] of Object.entries(file.triggers))
    checkSection(trigger, { ...check, path: `triggers.${name}` });
  const { engine } = check;
  for (const [name, trigger] of Object.entries(triggers)) checkInbound(trigger, `triggers.${name}`, problems);
  for (const [name, target] of Object.entries(file.targets ?? {})) {
    if (target.type === 'rest') compileRestTemplates(engine, target, { path: `targets.${name}`, problems });
  }
  checkCorrelation(file, defaults, triggers, problems);
  return {
    defaults,
    triggers,
    hasuraRole: file.source.hasura?.role,
    correlation: toCorrelationConfig(file.correlation),
  };
}

/** Row ticket keys are signed: a lifecycle trigger (or a default that makes one) needs the secret. */
function checkCorrelation(
  file: BridgeFile,
  defaults: TriggerConfig,
  triggers: Record<string, TriggerConfig>,
  problems: string[],
): void {
  if (file.correlation) return;
  const sections: [string, TriggerConfig][] = [
    ['defaults', defaults],
    ...Object.entries(triggers).map(([name, trigger]): [string, TriggerConfig] => [`triggers.${name}`, trigger]),
  ];
  const lifecycle = sections.filter(([, trigger]) => trigger.lifecycle.enabled).map(([path]) => path);
  if (lifecycle.length === 0) return;
  const why = `${lifecycle.join(', ')} enable lifecycle, whose row ticket keys it signs`;
  problems.push(`correlation.secret: required: ${why} (e.g. secret: { env: BRIDGE_CORRELATION_SECRET })`);
}

/** Trigger keys replace the base's; `lifecycle` merges key by key; `update_fields: null` means "same as fields". */
function mergeTrigger(base: TriggerConfig, input: TriggerInput): TriggerConfig {
  const fields = input.fields ?? base.fields;
  const inheritsUpdateFields = input.fields === undefined && input.update_fields === undefined;
  return {
    target: input.target ?? base.target,
    ops: input.ops ?? base.ops,
    rowKey: input.row_key ?? base.rowKey,
    lifecycle: {
      enabled: input.lifecycle?.enabled ?? base.lifecycle.enabled,
      manual: input.lifecycle?.manual ?? base.lifecycle.manual,
      onClosed: input.lifecycle?.on_closed ?? base.lifecycle.onClosed,
      reorderWindowMs: input.lifecycle?.reorder_window ?? base.lifecycle.reorderWindowMs,
    },
    fields,
    updateFields: inheritsUpdateFields ? base.updateFields : (input.update_fields ?? fields),
    resolveFields: input.resolve_fields ?? base.resolveFields,
    workNote: input.work_note ?? base.workNote,
    inbound: input.inbound ? toInboundConfig(input.inbound) : base.inbound,
    writeback: input.writeback === undefined ? base.writeback : toWritebackConfig(input.writeback),
  };
}

interface SectionCheck extends WritebackCheck {
  targetNames: string[];
}

/** Checks only the keys this section writes, so a mistake in `defaults` is reported once, where it is. */
function checkSection(section: TriggerInput, check: SectionCheck): void {
  const { path, problems } = check;
  if (section.target !== undefined && !check.targetNames.includes(section.target)) {
    const known = check.targetNames.join(', ') || 'none';
    problems.push(`${path}.target: unknown target "${section.target}" (configured targets: ${known})`);
  }
  const templateSets: [string, Record<string, string> | null | undefined][] = [
    ['fields', section.fields],
    ['update_fields', section.update_fields],
    ['resolve_fields', section.resolve_fields],
  ];
  const options = { lookups: check.lookups, problems };
  for (const [key, sources] of templateSets) {
    if (sources) compileTemplates(check.engine, sources, { ...options, path: `${path}.${key}` });
  }
  if (section.work_note !== undefined) {
    compileTemplates(check.engine, { work_note: section.work_note }, { ...options, path });
  }
  if (section.inbound)
    compileTemplates(check.engine, section.inbound.columns, { ...options, path: `${path}.inbound.columns` });
  if (section.writeback) checkWriteback(section.writeback, check);
}
