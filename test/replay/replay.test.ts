import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { temporal as api } from '@temporalio/proto';
import { testWorkflowBundle } from '../helpers/temporal';
import { historyFromJSON } from './history-json';

/**
 * Every recorded history (test/replay/README.md) must replay against today's workflow code: a
 * change to src/workflows that is not behind patched() fails here, naming the fixture.
 */
const HISTORIES = path.join(__dirname, 'histories');
const { WorkflowTaskFailedCause } = api.api.enums.v1;
type History = api.api.history.v1.IHistory;
const fixtures = readdirSync(HISTORIES)
  .filter((f) => f.endsWith('.json'))
  .sort();

/** Recorded on 2026-12-02; fixtures are only ever added, so these must stay. */
const PATHS = [
  'event-created',
  'event-retried-create-late-check',
  'event-parked-then-retried',
  'event-parked-then-abandoned',
  'event-park-expired',
  'event-reset',
  'event-forwarded',
  'row-lifecycle-continue-as-new',
  'row-lifecycle-closed',
];
/** The lifecycle paths again as the code behind patched('12-row-lifecycle') and ('12-forward-park') runs them. */
const ISSUE_12 = [
  ...['event-forwarded', 'row-lifecycle-continue-as-new', 'row-lifecycle-closed'].map(
    (name) => `${name}-12-row-lifecycle`,
  ),
  'row-resumed-after-idle',
  'row-park-expired',
  'event-forward-parked-then-abandoned',
  // patched('12-row-operator-retry-check'): an operator-retried row create gets the late-duplicate check.
  'row-operator-retry-late-check',
];
/** Each path before issue 15, and again as the code behind patched('15-worker-policy') runs it. */
const RECORDED_15 = [...PATHS, ...PATHS.map((name) => `${name}-15-worker-policy`)];
/** Issue 11 (patched('11-...')): the event paths again, and the create path's new interleavings. */
const CREATE_PATH_11 = [
  ...PATHS.filter((name) => name.startsWith('event-') && name !== 'event-forwarded'),
  'event-reused-late-check',
  'event-operator-retry-late-check',
  'event-old-lookup-first',
  'event-kept-reported',
  'event-reset-in-flight',
].map((name) => `${name}-11-create`);
/**
 * Issue 11's operator paths: each path again as that code runs it (patched('11-park-local-activity-failure')
 * at recovery start), operator Updates, a template error that parks, a batch signal that found nothing parked,
 * and, recorded from the code before issue 11 (test/replay/README.md), the decisions its patches keep.
 */
const OPERATOR_11 = [
  ...PATHS.map((name) => `${name}-11-operator`),
  'event-parked-then-retried-by-update',
  'event-parked-then-abandoned-by-update',
  'event-template-error-parked',
  'event-signal-before-park-ignored',
  'event-template-error-failed-pre-11',
  'event-signal-before-park-queued-pre-11',
  'event-log-failure-failed-pre-11',
];
/**
 * Issue 11's reviews (patched('11-review-...')): a reset run's late check also waits out the old run's attempt;
 * parking as the code behind patched('11-review-park-without-worker-policy') runs it.
 */
const REVIEW_11 = [
  'event-reset',
  'event-reset-in-flight',
  'event-template-error-parked',
  'event-parked-then-abandoned-by-update',
].map((name) => `${name}-11-review`);
/** Issue 16 (patched('16-fewer-actions')): search attributes only for listed states, one upsert; fewer patch markers. */
const FEWER_ACTIONS_16 = [
  ...PATHS.filter((name) => name !== 'event-parked-then-abandoned'),
  'event-kept-reported',
  'event-parked-then-retried-by-update',
  'event-reset-in-flight',
  'row-resumed-after-idle',
  'row-park-expired',
  'event-forward-parked-then-abandoned',
].map((name) => `${name}-16-fewer-actions`);
/**
 * Issue 16's singleTicketWorkflow (a new type: no patch markers): the single-event paths as it runs them, the create
 * path's interleavings, operator Updates, a template error, an early batch signal, and write-backs.
 */
const SINGLE_TICKET_16_PATHS = [
  ...PATHS.filter(
    (name) => !['event-forwarded', 'row-lifecycle-continue-as-new', 'row-lifecycle-closed'].includes(name),
  ),
  'event-reused-late-check',
  'event-operator-retry-late-check',
  'event-old-lookup-first',
  'event-kept-reported',
  'event-reset-in-flight',
  'event-parked-then-retried-by-update',
  'event-parked-then-abandoned-by-update',
  'event-template-error-parked',
  'event-signal-before-park-ignored',
  'event-written-back',
  'event-parked-written-back-then-retried',
  'event-write-back-failed',
  'event-parked-written-back-then-abandoned',
];
const SINGLE_TICKET_16 = SINGLE_TICKET_16_PATHS.map((name) => `${name}-16-single-ticket`);
/** EventWorkflowInput.createQueue `workflow` (no patch: the input decides): the same paths on the workflow's queue. */
const CREATE_QUEUE_16 = SINGLE_TICKET_16_PATHS.map((name) => `${name}-16-create-queue`);
/**
 * Issue 13 (patched('13-writeback')): the write-back after a create, a park (then retried or abandoned), a
 * write-back refused for good, a row written back after each change; and paths without write-back as that code runs them.
 */
const WRITE_BACK_13 = [
  'event-written-back',
  'event-parked-written-back-then-retried',
  'event-parked-written-back-then-abandoned',
  'event-write-back-failed',
  'row-written-back-first-run',
  'row-written-back-last-run',
  ...['event-created', 'event-parked-then-retried', 'event-forwarded', 'row-lifecycle-continue-as-new'].map(
    (name) => `${name}-13-writeback`,
  ),
  'row-lifecycle-closed-13-writeback',
];
/**
 * Issue 12's review (patched('12-bounded-carry')): a ticket call without the before-image the ticket already has,
 * a continue-as-new and an idle memo carrying held events without before-images and the last image once.
 */
const BOUNDED_CARRY_12 = [
  ...['event-forwarded', 'row-lifecycle-continue-as-new', 'row-lifecycle-closed', 'row-resumed-after-idle'].map(
    (name) => `${name}-12-bounded-carry`,
  ),
  'row-update-sent-once',
];
/** Review 12b (patched('12-keep-open-heads')): held events leave only when superseded, carried in chain order. */
const KEEP_OPEN_HEADS_12 = ['row-lifecycle-continue-as-new', 'row-lifecycle-closed', 'row-resumed-after-idle'].map(
  (name) => `${name}-12-keep-open-heads`,
);
/** Issue 14's review: the first fixtures of servicenowChangeWorkflow and servicenowReconcileWorkflow, before any patch. */
const SERVICENOW_14 = [
  'servicenow-change-two-rounds',
  'servicenow-change-reread-retried',
  'servicenow-reconcile-swept',
];
/** The change paths again as the code behind patched('14-reread-until-seen') runs them (re-read without a maximum). */
const REREAD_14 = ['servicenow-change-two-rounds', 'servicenow-change-reread-retried'].map(
  (name) => `${name}-14-reread-until-seen`,
);
/**
 * Review 14 (6), (7) (patched('14-wait-for-row-ticket')): a change waits on timers while its row workflow holds no
 * ticket yet, and fails when the wait ends; the change paths again as that code runs them.
 */
const WAIT_FOR_ROW_14 = [
  'servicenow-change-waits-for-row',
  'servicenow-change-wait-expired',
  ...['servicenow-change-two-rounds', 'servicenow-change-reread-retried'].map((name) => `${name}-14-wait-for-row`),
];
/**
 * Issue 16's review: patched('16-review-late-check-waits-overlapping-attempt') (singleTicketWorkflow's late check
 * after a retried create waits out an overlapping attempt) on the create paths that retry, and
 * patched('16-review-abandon-looks-up-late-write') (an abandon after a possible write looks for a late ticket) for
 * both types.
 */
const REVIEW_16 = [
  ...['event-retried-create-late-check', 'event-reused-late-check', 'event-kept-reported'].map((n) => `${n}-16-review`),
  'event-operator-retry-late-check-16-review',
  'event-abandoned-after-late-write',
  'event-abandoned-nothing-found',
  'event-abandoned-after-late-write-before-16-type',
];
/**
 * Issue 16's direct delivery: the webhook signals (signal-with-start) the row workflow itself, no event workflow;
 * recorded at the server's own continue-as-new threshold, one run holding two changes and its idle finish.
 */
const DIRECT_ROW_16 = ['row-signalled-by-webhook'];
/**
 * Issue 16: a row run asks the recovery patches (11-park-local-activity-failure, 11-review-park-without-worker-policy)
 * in its first workflow task, with its other markers; the histories above recorded them at the first apply.
 */
const FIRST_TASK_PATCHES_16 = ['row-signalled-by-webhook-16-first-task-patches'];
/** Review s7b/s8: a row run asks 12-review-lives-and-floor at its start, with its other markers. */
const LIVES_AND_FLOOR_12 = ['row-signalled-by-webhook-12-lives-and-floor'];
const RECORDED = [
  ...RECORDED_15,
  ...CREATE_PATH_11,
  ...OPERATOR_11,
  ...ISSUE_12,
  ...REVIEW_11,
  ...FEWER_ACTIONS_16,
  ...SINGLE_TICKET_16,
  ...CREATE_QUEUE_16,
  ...WRITE_BACK_13,
  ...BOUNDED_CARRY_12,
  ...KEEP_OPEN_HEADS_12,
  ...SERVICENOW_14,
  ...REREAD_14,
  ...WAIT_FOR_ROW_14,
  ...REVIEW_16,
  ...DIRECT_ROW_16,
  ...FIRST_TASK_PATCHES_16,
  ...LIVES_AND_FLOOR_12,
];

/**
 * The replayer names the run after its start event, which a reset run copies from the run it was reset from; the
 * worker that ran it knew its own run id, which the (last) reset event names. Replayed under that id, a reset run
 * is one to the workflow code, as it was when recorded and as it is when a worker replays it after an eviction.
 */
function underItsOwnRunId(history: History): History {
  const reset = history.events
    ?.map((event) => event.workflowTaskFailedEventAttributes)
    .filter((failed) => failed?.cause === WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW)
    .at(-1);
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (reset?.newRunId && started) started.originalExecutionRunId = reset.newRunId;
  return history;
}

async function replay(file: string, workflowBundle: WorkflowBundleWithSourceMap): Promise<void> {
  const history = underItsOwnRunId(historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8'))));
  try {
    await Worker.runReplayHistory({ workflowBundle, replayName: 'replay-fixtures' }, history, file);
  } catch (error) {
    const e = error as Error;
    throw Object.assign(new Error(`${file}: ${e.name}: ${e.message}`, { cause: e }), { name: e.name });
  }
}

test('the fixture directory holds every recorded history (no vacuous pass)', () => {
  expect(fixtures.length).toBeGreaterThan(0);
  expect(fixtures.map((f) => f.replace(/\.json$/, ''))).toEqual(expect.arrayContaining(RECORDED));
});

describe("each recorded history replays against today's workflow code", () => {
  // An empty table would make jest fail the file too, but say so plainly.
  test.each(fixtures.length ? fixtures : ['<no fixtures in test/replay/histories>'])('%s', async (file) => {
    await replay(file, await testWorkflowBundle());
  });
});

test('self-check: a history replayed against a workflow that issues a different command fails with a determinism error', async () => {
  const noop = () => undefined;
  const divergent = await bundleWorkflowCode({
    workflowsPath: require.resolve('./divergent-workflows'),
    logger: { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error },
  });
  const failure = await replay('event-created.json', divergent).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(Error);
  expect((failure as Error).cause).toBeInstanceOf(DeterminismViolationError);
  expect((failure as Error).message).toMatch(/^event-created\.json: DeterminismViolationError: /);
});
