/**
 * The incident table as a fresh record shows it: field names and defaults copied from the documented
 * create response (servicenow-samples/create-incident-201.json) plus `hold_reason` from a real query.
 * Fields set per insert (ids, dates, users, number) are filled in by the store.
 */
export const INCIDENT_DEFAULTS: Readonly<Record<string, string>> = {
  upon_approval: 'proceed',
  location: '',
  expected_start: '',
  reopen_count: '0',
  close_notes: '',
  additional_assignee_list: '',
  impact: '3',
  urgency: '3',
  correlation_id: '',
  sys_tags: '',
  sys_domain: 'global',
  description: '',
  group_list: '',
  priority: '5',
  delivery_plan: '',
  sys_mod_count: '0',
  work_notes_list: '',
  business_service: '',
  follow_up: '',
  closed_at: '',
  sla_due: '',
  delivery_task: '',
  sys_updated_on: '',
  parent: '',
  work_end: '',
  number: '',
  closed_by: '',
  work_start: '',
  calendar_stc: '',
  category: 'inquiry',
  business_duration: '',
  incident_state: '1',
  activity_due: '',
  correlation_display: '',
  company: '',
  active: 'true',
  due_date: '',
  assignment_group: '',
  caller_id: '',
  knowledge: 'false',
  made_sla: 'true',
  comments_and_work_notes: '',
  parent_incident: '',
  state: '1',
  user_input: '',
  sys_created_on: '',
  approval_set: '',
  reassignment_count: '0',
  rfc: '',
  child_incidents: '0',
  opened_at: '',
  short_description: '',
  order: '',
  sys_updated_by: '',
  resolved_by: '',
  notify: '1',
  upon_reject: 'cancel',
  approval_history: '',
  problem_id: '',
  work_notes: '',
  calendar_duration: '',
  close_code: '',
  sys_id: '',
  approval: 'not requested',
  caused_by: '',
  severity: '3',
  sys_created_by: '',
  resolved_at: '',
  assigned_to: '',
  business_stc: '',
  wf_activity: '',
  sys_domain_path: '/',
  cmdb_ci: '',
  opened_by: '',
  subcategory: '',
  rejection_goto: '',
  sys_class_name: 'incident',
  watch_list: '',
  time_worked: '',
  contact_type: 'phone',
  escalation: '0',
  comments: '',
  hold_reason: '',
};

/** Reference fields and the table each points at (rendered as {link,value}). */
export const REFERENCE_TABLES: Readonly<Record<string, string>> = {
  caller_id: 'sys_user',
  assigned_to: 'sys_user',
  opened_by: 'sys_user',
  resolved_by: 'sys_user',
  closed_by: 'sys_user',
  assignment_group: 'sys_user_group',
  sys_domain: 'sys_user_group',
  company: 'core_company',
  location: 'cmn_location',
  cmdb_ci: 'cmdb_ci',
  business_service: 'cmdb_ci_service',
  problem_id: 'problem',
  parent_incident: 'incident',
  parent: 'task',
  rfc: 'change_request',
  caused_by: 'change_request',
};

/** Journal fields: writes append to the journal, reads give "" (as the Table API does by default). */
export const JOURNAL_FIELDS = ['work_notes', 'comments'] as const;
export type JournalField = (typeof JOURNAL_FIELDS)[number];

export function isJournalField(field: string): field is JournalField {
  return (JOURNAL_FIELDS as readonly string[]).includes(field);
}

const URGENCY_LABELS = { '1': '1 - High', '2': '2 - Medium', '3': '3 - Low' };
const STATE_LABELS = {
  '1': 'New',
  '2': 'In Progress',
  '3': 'On Hold',
  '6': 'Resolved',
  '7': 'Closed',
  '8': 'Canceled',
};

/** Display values of choice fields, for sysparm_display_value=true|all. */
export const CHOICE_LABELS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  state: STATE_LABELS,
  incident_state: STATE_LABELS,
  impact: URGENCY_LABELS,
  urgency: URGENCY_LABELS,
  severity: URGENCY_LABELS,
  priority: { '1': '1 - Critical', '2': '2 - High', '3': '3 - Moderate', '4': '4 - Low', '5': '5 - Planning' },
};

/** Default priority data lookup (reference §7): rows impact 1..3, columns urgency 1..3. */
const PRIORITY_MATRIX: readonly (readonly string[])[] = [
  ['1', '2', '3'],
  ['2', '3', '4'],
  ['3', '4', '5'],
];

/** Priority is read-only on a real instance: it always follows impact × urgency; out-of-range gives 5. */
export function priorityFor(impact: string, urgency: string): string {
  return PRIORITY_MATRIX[Number(impact) - 1]?.[Number(urgency) - 1] ?? '5';
}

export const STATE = { resolved: '6', closed: '7', canceled: '8' } as const;
