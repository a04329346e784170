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

function missingResolutionFields(record: SimRecord): ServiceNowErrorBody | undefined {
  const isResolving = record.state === STATE.resolved || record.state === STATE.closed;
  const missing = RESOLUTION_FIELDS.filter(([field]) => !record[field]).map(([, label]) => label);
  if (!isResolving || missing.length === 0) return undefined;
  return errorBody('Operation Failed', `Data Policy Exception: The following fields are mandatory: ${missing.join(', ')}`);
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
export function applyIncidentRules(record: SimRecord, changes: SimRecord, context: SaveContext): ServiceNowErrorBody | undefined {
  mirrorState(record, changes);
  const refusal = missingResolutionFields(record);
  if (refusal) return refusal;
  record.priority = priorityFor(record.impact, record.urgency);
  stampStateChange(record, context);
  return undefined;
}
