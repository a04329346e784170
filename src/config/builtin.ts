import type { TriggerConfig } from './bridge-config';

/** The mapping the bridge used before config files existed; still what runs without one. */
export const DEFAULT_FIELDS: Record<string, string> = {
  short_description:
    '{{ table.name }} {{ op | downcase }}: ' +
    '{{ row.title | default: row.name | default: row.summary | default: row_key }}',
  description:
    '{{ row.description | default: "" }}\n\n' +
    'Hasura {{ op }} on {{ table.schema }}.{{ table.name }} (trigger {{ trigger }}, event {{ event_id }})',
};

export const DEFAULT_WORK_NOTE =
  'Hasura {{ op }} on {{ table.schema }}.{{ table.name }} (event {{ event_id }})' +
  '{% for change in changes %}\n{{ change.field }}: {{ change.from }} → {{ change.to }}{% endfor %}';

export function builtinTriggerDefaults(target: string): TriggerConfig {
  return {
    target,
    ops: ['INSERT', 'UPDATE', 'DELETE', 'MANUAL'],
    rowKey: ['id'],
    lifecycle: { enabled: false, manual: 'create', onClosed: 'reopen', reorderWindowMs: 5000 },
    fields: DEFAULT_FIELDS,
    updateFields: DEFAULT_FIELDS,
    resolveFields: {},
    workNote: DEFAULT_WORK_NOTE,
  };
}
