import { readFileSync } from 'node:fs';
import path from 'node:path';
import { countActions, type ActionCount } from '../../dev/bench/actions';

/** The events of a real history recorded by the replay recorder (test/replay/histories). */
export function historyEvents(fixture: string) {
  const file = path.join(__dirname, '..', 'replay', 'histories', `${fixture}.json`);
  return JSON.parse(readFileSync(file, 'utf8')).events;
}

/** A recorded history counted by Temporal Cloud's rules. */
export function count(fixture: string): ActionCount {
  return countActions(historyEvents(fixture));
}

/** The workflow task ids whose markers a recorded history holds, by marker name. */
export function markerTasks(fixture: string): Map<string, Set<string>> {
  type Marker = { markerName: string; workflowTaskCompletedEventId: string };
  const tasks = new Map<string, Set<string>>();
  for (const event of historyEvents(fixture)) {
    const marker = event.markerRecordedEventAttributes as Marker | undefined;
    if (!marker) continue;
    const names = tasks.get(marker.workflowTaskCompletedEventId) ?? new Set<string>();
    tasks.set(marker.workflowTaskCompletedEventId, names.add(marker.markerName));
  }
  return tasks;
}

/**
 * A row run's history cut at its row changes: each runs from its delivery (the signal that came with the start, or
 * a later one) to the next delivery, its idle timer included; the run's end (the idle memo and status, or a
 * continue-as-new) is apart.
 */
export function rowChanges(fixture: string): { changes: ActionCount[]; end: ActionCount } {
  const events: Parameters<typeof countActions>[0] = historyEvents(fixture); // proto JSON: types by name
  const endTypes = ['EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED', 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW'];
  const end = events.findIndex((event) => endTypes.includes(String(event.eventType)));
  const deliveries = events
    .map((event, index) =>
      index > 1 && String(event.eventType) === 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED' ? index : -1,
    )
    .filter((index) => index > 0 && index < end);
  const cuts = [0, ...deliveries, end];
  const count = (from: number, to?: number) => countActions(events.slice(from, to));
  return { changes: cuts.slice(1).map((to, k) => count(cuts[k], to)), end: count(end) };
}
