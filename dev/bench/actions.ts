import * as proto from '@temporalio/proto';

/**
 * Billable Temporal Cloud actions of one workflow run, counted from its history by Temporal's published rules
 * (docs.temporal.io/cloud/actions): a start (client, continue-as-new, child); every activity attempt; all
 * markers of one workflow task as one action (local activities, patches); timers; search-attribute upserts
 * other than the versioning attribute alone; signals (a signal-with-start is one action with its start);
 * accepted Updates; child workflows (two, in the parent); workflow-properties (memo) changes.
 * Not in a history, so not counted here: queries, activity heartbeats that reached the server, rejected
 * Updates. The server's `action` metric sees those, and also counts the versioning-only upserts that Cloud
 * exempts: `versioningUpserts` is reported apart so the two can be compared.
 */
export interface ActionCount {
  total: number;
  byKind: Record<ActionKind, number>;
  /** Upserts of `TemporalChangeVersion` alone: not billed by Cloud, counted by the self-hosted metric. */
  versioningUpserts: number;
}

export type ActionKind =
  | 'workflowStarted'
  | 'activity'
  | 'markers'
  | 'timer'
  | 'searchAttributes'
  | 'signal'
  | 'update'
  | 'childWorkflow'
  | 'properties';

type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;
const { EventType } = proto.temporal.api.enums.v1;
const VERSIONING_ATTRIBUTE = 'TemporalChangeVersion';

/** Proto JSON (fixtures, `temporal workflow show`) names the type; a fetched history gives its number. */
function typeName(event: HistoryEvent): string {
  const type = event.eventType as unknown;
  const name = typeof type === 'number' ? EventType[type] : String(type);
  return name.replace(/^EVENT_TYPE_/, '');
}

const emptyKinds = (): Record<ActionKind, number> => ({
  workflowStarted: 0,
  activity: 0,
  markers: 0,
  timer: 0,
  searchAttributes: 0,
  signal: 0,
  update: 0,
  childWorkflow: 0,
  properties: 0,
});

/** A started run costs one action unless its parent already paid for it, or the run before it did (continue-as-new). */
function startActions(event: HistoryEvent): number {
  const started = event.workflowExecutionStartedEventAttributes;
  return started?.parentWorkflowExecution || started?.continuedExecutionRunId ? 0 : 1;
}

/** Every attempt of an activity is an action; the started event holds the last attempt's number. */
function activityAttempts(events: HistoryEvent[]): number {
  const attempts = new Map<string, number>();
  for (const event of events) {
    const type = typeName(event);
    if (type === 'ACTIVITY_TASK_SCHEDULED') attempts.set(String(event.eventId), 1);
    if (type === 'ACTIVITY_TASK_STARTED') {
      const started = event.activityTaskStartedEventAttributes;
      attempts.set(String(started?.scheduledEventId), Math.max(1, Number(started?.attempt ?? 1)));
    }
  }
  return [...attempts.values()].reduce((sum, n) => sum + n, 0);
}

function upsertedKeys(event: HistoryEvent): string[] {
  return Object.keys(event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {});
}

/**
 * A signal sent by another workflow was billed to the sender (its SIGNAL_EXTERNAL command); a signal right after
 * the start, before any workflow task, came with the start (signal-with-start): one action for both.
 */
function signalActions(event: HistoryEvent, index: number, events: HistoryEvent[]): number {
  if (event.workflowExecutionSignaledEventAttributes?.externalWorkflowExecution) return 0;
  const withStart =
    index === 1 && typeName(events[0]) === 'WORKFLOW_EXECUTION_STARTED' && startActions(events[0]) === 1;
  return withStart ? 0 : 1;
}

/** Counts one run's history; sum the runs of an incident (its event workflow, its row workflow's runs). */
export function countActions(events: HistoryEvent[]): ActionCount {
  const byKind = emptyKinds();
  const markerTasks = new Set<string>();
  let versioningUpserts = 0;
  byKind.activity = activityAttempts(events);
  events.forEach((event, index) => {
    switch (typeName(event)) {
      case 'WORKFLOW_EXECUTION_STARTED':
        byKind.workflowStarted += startActions(event);
        break;
      case 'WORKFLOW_EXECUTION_CONTINUED_AS_NEW':
        byKind.workflowStarted += 1;
        break;
      case 'MARKER_RECORDED':
        markerTasks.add(String(event.markerRecordedEventAttributes?.workflowTaskCompletedEventId));
        break;
      case 'TIMER_STARTED':
        byKind.timer += 1;
        break;
      case 'UPSERT_WORKFLOW_SEARCH_ATTRIBUTES':
        if (upsertedKeys(event).every((key) => key === VERSIONING_ATTRIBUTE)) versioningUpserts += 1;
        else byKind.searchAttributes += 1;
        break;
      case 'WORKFLOW_EXECUTION_SIGNALED':
        byKind.signal += signalActions(event, index, events);
        break;
      case 'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED':
        byKind.signal += 1;
        break;
      case 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED':
        byKind.update += 1;
        break;
      case 'START_CHILD_WORKFLOW_EXECUTION_INITIATED':
        byKind.childWorkflow += 2;
        break;
      case 'WORKFLOW_PROPERTIES_MODIFIED':
        byKind.properties += 1;
        break;
    }
  });
  byKind.markers = markerTasks.size;
  const total = Object.values(byKind).reduce((sum, n) => sum + n, 0);
  return { total, byKind, versioningUpserts };
}

/** Sums the counts of several runs (the histories of one incident, or of a whole benchmark run). */
export function sumActions(counts: ActionCount[]): ActionCount {
  const byKind = emptyKinds();
  for (const count of counts)
    for (const kind of Object.keys(byKind) as ActionKind[]) byKind[kind] += count.byKind[kind];
  return {
    total: counts.reduce((sum, c) => sum + c.total, 0),
    byKind,
    versioningUpserts: counts.reduce((sum, c) => sum + c.versioningUpserts, 0),
  };
}
