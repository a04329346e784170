import { sumActions } from '../../dev/bench/actions';
import { count, historyEvents, rowChanges } from './recorded-histories';

describe('issue 16: row events signalled by the webhook, no event workflow (row-signalled-by-webhook)', () => {
  const direct = rowChanges('row-signalled-by-webhook');

  test('when the run is cut at its changes, then the parts add up to the whole history', () => {
    expect(direct.changes).toHaveLength(2);
    expect(sumActions([...direct.changes, direct.end])).toEqual(count('row-signalled-by-webhook'));
  });

  // Start with the signal (1), the run's marker batch: 6 patches and the policy and rules local activities (1), the
  // reorder timer (1), the first apply's batch: 2 recovery patches (1), the apply (1), the IncidentNumber upsert (1),
  // the idle timer (1). Issue 16's goal is 6: the second marker batch was the one over (see the next describe).
  test('when a change started the run (signal-with-start) before, then 7 actions, one over the goal of 6', () => {
    expect(direct.changes[0]).toMatchObject({
      byKind: { workflowStarted: 1, signal: 0, markers: 2, timer: 2, activity: 1, searchAttributes: 1 },
      total: 7,
    });
  });

  // The signal (1), the reorder timer (1), the apply (1), the idle timer (1): no marker, the ticket number unchanged.
  test('when a later change is signalled to the open run, then 4 actions, within the goal of 6', () => {
    expect(direct.changes[1]).toMatchObject({ byKind: { signal: 1, timer: 2, activity: 1, markers: 0 }, total: 4 });
    expect(direct.changes[1].total).toBeLessThanOrEqual(6);
  });

  // Once per run, after ROW_IDLE without events: the memo the next run resumes from (1), TicketStatus `idle` (1).
  test('when the run finishes idle, then 2 actions more, once per run', () => {
    expect(direct.end).toMatchObject({ byKind: { properties: 1, searchAttributes: 1 }, total: 2 });
  });

  // Before: the event workflow (start, marker batch, forward, `forwarded`) and the row run's part, its start paid by
  // the forward's signal-with-start. That run continued as new after its first change (the recorder's low threshold),
  // so its part lacks the idle timer: the old path cost at least this.
  test('when the first change went through an event workflow before, then it cost more', () => {
    const [rowPart] = rowChanges('row-lifecycle-continue-as-new-16-fewer-actions').changes;
    const before = count('event-forwarded-16-fewer-actions').total + rowPart.total;
    expect(direct.changes[0].total).toBeLessThan(before);
  });
});

type PatchMarker = {
  workflowTaskCompletedEventId: string;
  details: { 'patch-data'?: { payloads: { data: string }[] } };
};

/** The ids of the patch markers a recorded history holds, by the workflow task that recorded them. */
function patchesByTask(fixture: string): string[][] {
  const tasks = new Map<string, string[]>();
  for (const event of historyEvents(fixture)) {
    const marker = event.markerRecordedEventAttributes as PatchMarker | undefined;
    const payload = marker?.details['patch-data']?.payloads[0];
    if (!marker || !payload) continue; // not a patch marker (a local activity's)
    const { id } = JSON.parse(Buffer.from(payload.data, 'base64').toString());
    const task = marker.workflowTaskCompletedEventId;
    tasks.set(task, [...(tasks.get(task) ?? []), id]);
  }
  return [...tasks.values()];
}

const RECOVERY_PATCHES = ['11-park-local-activity-failure', '11-review-park-without-worker-policy'];

// The same path as the code that asks the recovery patches in the run's first workflow task runs it (recovery.ts),
// and as it runs once the run also asks 12-review-lives-and-floor there: one marker more, in the same batch.
describe.each(['row-signalled-by-webhook-16-first-task-patches', 'row-signalled-by-webhook-12-lives-and-floor'])(
  'issue 16: recovery patches asked in the first task (%s)',
  (fixture) => {
    const direct = rowChanges(fixture);

    test('when the run records its patch markers, then the recovery patches join the first batch', () => {
      const tasks = patchesByTask(fixture);
      expect(tasks).toHaveLength(1);
      expect(tasks[0]).toEqual(expect.arrayContaining(RECOVERY_PATCHES));
      // Before, the first apply recorded them in a workflow task of their own.
      expect(patchesByTask('row-signalled-by-webhook')[1]).toEqual(RECOVERY_PATCHES);
    });

    // Start with the signal (1), the run's marker batch: its patches and the policy and rules local activities (1),
    // the reorder timer (1), the apply (1), the IncidentNumber upsert (1), the idle timer (1).
    test('when a change starts the run (signal-with-start), then 6 actions, within the goal of 6', () => {
      expect(direct.changes[0]).toMatchObject({
        byKind: { workflowStarted: 1, signal: 0, markers: 1, timer: 2, activity: 1, searchAttributes: 1 },
        total: 6,
      });
      expect(direct.changes[0].total).toBeLessThanOrEqual(6);
    });

    test('when a later change is signalled and the run finishes idle, then they cost what they cost before', () => {
      expect(direct.changes).toHaveLength(2);
      const before = rowChanges('row-signalled-by-webhook');
      expect(direct.changes[1]).toEqual(before.changes[1]);
      expect(direct.end).toEqual(before.end);
    });
  },
);
