import { displayFieldOf } from './directory';
import { applyIncidentRules } from './incident-rules';
import { INCIDENT_DEFAULTS, isJournalField, REFERENCE_TABLES } from './incident-schema';
import { errorBody, NO_RECORD_FOUND, type ServiceNowErrorBody } from './responses';
import { randomSysId, type Rng } from './rng';
import type { JournalEntry, RecordStore, SimRecord, StoredRecord } from './store';

export interface WriteDeps {
  store: RecordStore;
  rng: Rng;
  now: () => number;
  /** Incident fields an instance-specific data policy makes mandatory (e.g. category). */
  mandatoryFields: readonly string[];
}

export interface CallingUser {
  username: string;
  sysId: string;
}

export interface WriteRequest {
  table: string;
  body: Record<string, unknown>;
  user: CallingUser;
  /** sysparm_input_display_value=true: references may be given by display name. */
  inputDisplayValue: boolean;
  /** false: as a script's `gr.autoSysFields(false)`: sys_mod_count, sys_updated_on/by stay as they were. */
  autoSysFields?: boolean;
}

export type WriteOutcome = { ok: true; entry: StoredRecord } | { ok: false; status: number; body: ServiceNowErrorBody };

/** The instance's date-time format, in UTC: `2016-01-22 14:28:24`. */
export function glideDateTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

function asFieldValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    const inner = (value as { value?: unknown }).value;
    return typeof inner === 'string' ? inner : JSON.stringify(value);
  }
  return String(value);
}

/** Body values as the database would store them; sys_* fields are system-maintained and ignored. */
function writableValues(deps: WriteDeps, request: WriteRequest): SimRecord {
  const values: SimRecord = {};
  for (const [field, raw] of Object.entries(request.body)) {
    if (field.startsWith('sys_')) continue;
    if (request.table === 'incident' && !(field in INCIDENT_DEFAULTS)) continue;
    values[field] = asFieldValue(raw);
  }
  if (request.inputDisplayValue) resolveDisplayNames(deps.store, values);
  return values;
}

function resolveDisplayNames(store: RecordStore, values: SimRecord): void {
  for (const [field, value] of Object.entries(values)) {
    const target = REFERENCE_TABLES[field];
    if (!target || !value || !store.hasTable(target) || store.get(target, value)) continue;
    const match = store.records(target).find((record) => record[displayFieldOf(target)] === value);
    if (match) values[field] = match.sys_id;
  }
}

/** Moves journal field values out of the record into journal rows; the fields themselves read back "". */
function takeJournalEntries(values: SimRecord, user: CallingUser, timestamp: string): JournalEntry[] {
  const entries: JournalEntry[] = [];
  for (const [field, value] of Object.entries(values)) {
    if (!isJournalField(field)) continue;
    if (value) entries.push({ element: field, value, sys_created_on: timestamp, sys_created_by: user.username });
    values[field] = '';
  }
  return entries;
}

function newRecordFields(deps: WriteDeps, request: WriteRequest, timestamp: string): SimRecord {
  const system = {
    sys_id: randomSysId(deps.rng),
    sys_created_on: timestamp,
    sys_updated_on: timestamp,
    sys_mod_count: '0',
    sys_created_by: request.user.username,
    sys_updated_by: request.user.username,
  };
  if (request.table !== 'incident') return { sys_class_name: request.table, ...system };
  return { ...INCIDENT_DEFAULTS, ...system, opened_at: timestamp, opened_by: request.user.sysId };
}

export function createRecord(deps: WriteDeps, request: WriteRequest): WriteOutcome {
  if (typeof request.body.sys_id === 'string') {
    // Observed on a real instance: an insert naming its own sys_id is refused (servicenow-samples 403).
    const label = asFieldValue(request.body.number) || request.body.sys_id;
    return {
      ok: false,
      status: 403,
      body: errorBody('Operation Failed', `Error during insert of ${request.table} (${label})`),
    };
  }
  const timestamp = glideDateTime(new Date(deps.now()));
  const changes = writableValues(deps, request);
  const journal = takeJournalEntries(changes, request.user, timestamp);
  const fields = { ...newRecordFields(deps, request, timestamp), ...changes };
  if (request.table === 'incident') {
    const refusal = applyIncidentRules(fields, changes, {
      userSysId: request.user.sysId,
      timestamp,
      mandatoryFields: deps.mandatoryFields,
    });
    if (refusal) return { ok: false, status: 403, body: refusal };
    fields.number ||= deps.store.nextIncidentNumber();
  }
  const entry = { fields, journal };
  deps.store.put(request.table, entry);
  return { ok: true, entry };
}

export function updateRecord(deps: WriteDeps, request: WriteRequest & { sysId: string }): WriteOutcome {
  const existing = deps.store.get(request.table, request.sysId);
  if (!existing) return { ok: false, status: 404, body: NO_RECORD_FOUND };
  const timestamp = glideDateTime(new Date(deps.now()));
  const changes = writableValues(deps, request);
  const journal = takeJournalEntries(changes, request.user, timestamp);
  const fields = { ...existing.fields, ...changes };
  if (request.table === 'incident') {
    const context = {
      previousState: existing.fields.state,
      userSysId: request.user.sysId,
      timestamp,
      mandatoryFields: deps.mandatoryFields,
    };
    const refusal = applyIncidentRules(fields, changes, context);
    if (refusal) return { ok: false, status: 403, body: refusal };
  }
  if (request.autoSysFields !== false) {
    fields.sys_mod_count = String(Number(existing.fields.sys_mod_count || '0') + 1);
    fields.sys_updated_on = timestamp;
    fields.sys_updated_by = request.user.username;
  }
  const entry = { fields, journal: [...existing.journal, ...journal] };
  deps.store.put(request.table, entry);
  return { ok: true, entry };
}
