import { countActions, sumActions } from '../../dev/bench/actions';
import { count, historyEvents, markerTasks } from './recorded-histories';

test('when an event is created first try, then start, one marker batch, four upserts and one activity are counted', () => {
  expect(count('event-created-15-worker-policy')).toMatchObject({
    byKind: { workflowStarted: 1, markers: 1, searchAttributes: 4, activity: 1, timer: 0 },
    total: 7,
    // The patch's TemporalChangeVersion upsert is exempt on Cloud; the self-hosted metric counts it.
    versioningUpserts: 1,
  });
});

test('when a create succeeds on its second attempt, then both attempts, the late-check timer and its activity count', () => {
  const actions = count('event-retried-create-late-check-15-worker-policy');
  expect(actions.byKind.activity).toBe(3);
  expect(actions.byKind.timer).toBe(1);
  expect(actions.total).toBe(10);
});

test('when local activities and patches share a workflow task, then the task counts once; another task counts again', () => {
  expect(count('event-parked-then-retried-by-update')).toMatchObject({
    byKind: { markers: 2, update: 1, searchAttributes: 7 },
    versioningUpserts: 2,
    total: 17,
  });
});

// README "Cost per incident": a happy path without the transform's local activity still pays for its patch markers.
test('when a workflow task records only patch markers, then that task costs a marker action of its own', () => {
  const tasks = [...markerTasks('event-created-13-writeback').values()];
  expect(tasks).toEqual([new Set(['core_patch', 'core_local_activity']), new Set(['core_patch'])]);
  expect(count('event-created-13-writeback').byKind.markers).toBe(2);
});

test('when a row run was started by signal-with-start and continued as new, then start and first signal are one action', () => {
  const first = count('row-lifecycle-continue-as-new-15-worker-policy');
  expect(first.byKind.workflowStarted).toBe(2); // its start (with the signal) and the continue-as-new
  expect(first.byKind.signal).toBe(1); // the second delivery only
  expect(first.total).toBe(13);
  // The next run's start was paid by the continue-as-new; its signal is a new one.
  const next = count('row-lifecycle-closed-15-worker-policy');
  expect(next.byKind.workflowStarted).toBe(0);
  expect(next.byKind.signal).toBe(1);
  expect(sumActions([first, next]).total).toBe(first.total + next.total);
});

test('when a signal came from another workflow, then the receiver does not count it again', () => {
  const events = [
    { eventId: 1, eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED', workflowExecutionStartedEventAttributes: {} },
    { eventId: 2, eventType: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED' },
    {
      eventId: 3,
      eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED',
      workflowExecutionSignaledEventAttributes: { externalWorkflowExecution: { workflowId: 'sender' } },
    },
  ];
  expect(countActions(events as never).total).toBe(1);
});

/** The search attributes each upsert of a recorded history set (versioning upserts left out). */
function upserts(fixture: string): Record<string, unknown>[] {
  type Fields = Record<string, { data: string }>;
  return historyEvents(fixture)
    .map(
      (e: { upsertWorkflowSearchAttributesEventAttributes?: { searchAttributes: { indexedFields: Fields } } }) =>
        e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes.indexedFields,
    )
    .filter((fields: Fields | undefined) => fields && !fields.TemporalChangeVersion)
    .map((fields: Fields) =>
      Object.fromEntries(
        Object.entries(fields).map(([key, { data }]) => [key, JSON.parse(Buffer.from(data, 'base64').toString())]),
      ),
    );
}

describe("issue 16's code (patched('16-fewer-actions'))", () => {
  test('when an event is created first try, then 4 actions: start, local activity, create, one upsert of the end', () => {
    const counted = { byKind: { workflowStarted: 1, markers: 1, activity: 1 }, total: 4 };
    expect(count('event-created-16-fewer-actions')).toMatchObject(counted);
    expect(upserts('event-created-16-fewer-actions')).toEqual([
      { IncidentNumber: expect.any(String), TicketStatus: 'created' },
    ]);
  });

  test('when an event parks and is retried, then operators still find it as parked, and not after it leaves', () => {
    expect(upserts('event-parked-then-retried-16-fewer-actions')).toEqual([
      { TicketStatus: 'waiting-for-operator' },
      { TicketStatus: 'transforming' },
      { TicketStatus: 'created', IncidentNumber: expect.any(String) },
    ]);
  });

  test('when the same paths ran before issue 16, then they cost more', () => {
    for (const name of ['event-created', 'event-retried-create-late-check', 'event-forwarded', 'event-park-expired'])
      expect(count(`${name}-16-fewer-actions`).total).toBeLessThan(count(`${name}-15-worker-policy`).total);
  });
});

describe("issue 16's singleTicketWorkflow (a new type for single events)", () => {
  test('when an event is created first try, then 3 actions: start, the create activity, one upsert of the end', () => {
    const actions = count('event-created-16-single-ticket');
    expect(actions).toMatchObject({
      byKind: { workflowStarted: 1, markers: 0, activity: 1, searchAttributes: 1, timer: 0 },
      total: 3,
      versioningUpserts: 0,
    });
    expect(upserts('event-created-16-single-ticket')).toEqual([
      { IncidentNumber: expect.any(String), TicketStatus: 'created' },
    ]);
    // One more than the one-activity workflow (start + activity): the upsert operators filter by.
    expect(actions.total).toBeLessThan(count('event-created-16-fewer-actions').total);
  });

  test.each([
    'event-created',
    'event-retried-create-late-check',
    'event-parked-then-retried-by-update',
    'event-parked-written-back-then-abandoned',
    'event-reset-in-flight',
  ])('when %s ran, then its history holds no patch marker (a new type has nothing to replay)', (name) => {
    expect([...markerTasks(`${name}-16-single-ticket`).values()].flatMap((names) => [...names])).not.toContain(
      'core_patch',
    );
  });

  test('when an event parks and is retried, then operators still find it as parked, and not after it leaves', () => {
    expect(upserts('event-parked-then-retried-16-single-ticket')).toEqual([
      { TicketStatus: 'waiting-for-operator' },
      { TicketStatus: 'creating' },
      { TicketStatus: 'created', IncidentNumber: expect.any(String) },
    ]);
  });
});
