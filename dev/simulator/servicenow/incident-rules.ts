import { priorityFor, STATE } from './incident-schema';
import { errorBody, type ServiceNowErrorBody } from './responses';
import type { SimRecord } from './store';

/**
 * The business rules and data policy an out-of-box instance runs when an incident is saved:
 * state mirrors incident_state, priority follows impact × urgency, resolving needs a resolution
 * code and notes, and leaving the open states stamps resolved/closed fields and clears `active`.
 */
export interface SaveContext {
  previousState?: string;
  userSysId: string;
  timestamp: string;
  mandatoryFields?: readonly string[];
}

const INACTIVE_STATES: readonly string[] = [STATE.resolved, STATE.closed, STATE.canceled];
const RESOLUTION_FIELDS = [
  ['close_code', 'Resolution code'],
  ['close_notes', 'Resolution notes'],
] as const;

function mirrorState(record: SimRecord, changes: SimRecord): void {
  if ('state' in changes) record.incident_state = record.state;
  else if ('incident_state' in changes) record.state = record.incident_state;
}

function missingMandatoryFields(record: SimRecord, mandatory: readonly string[] = []): ServiceNowErrorBody | undefined {
  const isResolving = record.state === STATE.resolved || record.state === STATE.closed;
  const required: (readonly [string, string])[] = [
    ...mandatory.map((field) => [field, labelOf(field)] as const),
    ...(isResolving ? RESOLUTION_FIELDS : []),
  ];
  const missing = required.filter(([field]) => !record[field]).map(([, label]) => label);
  if (missing.length === 0) return undefined;
  return errorBody(
    'Operation Failed',
    `Data Policy Exception: The following fields are mandatory: ${missing.join(', ')}`,
  );
}

/** ServiceNow names fields by their label in data policy messages: `assignment_group` → `Assignment group`. */
function labelOf(field: string): string {
  const words = field.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function stampStateChange(record: SimRecord, context: SaveContext): void {
  if (record.state === context.previousState) return;
  record.active = INACTIVE_STATES.includes(record.state) ? 'false' : 'true';
  if (record.state === STATE.resolved || (record.state === STATE.closed && !record.resolved_at)) {
    record.resolved_at = context.timestamp;
    record.resolved_by = context.userSysId;
  }
  if (record.state === STATE.closed) {
    record.closed_at = context.timestamp;
    record.closed_by = context.userSysId;
  }
}

/** Applies the rules to `record` (already merged with `changes`); returns the 403 body when the data policy refuses. */
export function applyIncidentRules(
  record: SimRecord,
  changes: SimRecord,
  context: SaveContext,
): ServiceNowErrorBody | undefined {
  mirrorState(record, changes);
  const refusal = missingMandatoryFields(record, context.mandatoryFields);
  if (refusal) return refusal;
  record.priority = priorityFor(record.impact, record.urgency);
  stampStateChange(record, context);
  return undefined;
}
