/**
 * Records the replay fixtures in test/replay/histories: `npm run record-histories [-- name ...]`.
 *
 * A plain node script, not a jest test (no `.test.` in the name, so `npm test` never collects it):
 * it runs TypeScript through test/observability/ts-register.js (the same @swc/core jest uses),
 * starts a Temporal dev server of its own, runs today's workflow code with real activities around
 * the in-memory FakeTarget, and saves each closed run's history in the JSON form `temporal
 * workflow show --output json` writes and `Worker.runReplayHistory` reads.
 *
 * Existing files are never overwritten: a fixture is the history of code that once ran in
 * production and stays as recorded (test/replay/README.md). Record a new path under a new name.
 */
import { existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { TicketUnavailableError, TicketValidationError } from '../../src/ticketing/errors';
import { abandonSignal, retrySignal } from '../../src/contract';
import { eventually } from '../helpers/stack';
import { CREATE_PATHS } from './create-path-recordings';
import { historyToJSON } from './history-json';
import { openHarness, startRecordingServer, SUGGEST_CONTINUE_AS_NEW_AT } from './recorder-harness';
import {
  body,
  expectOutcome,
  parked,
  resetToFirstWorkflowTask,
  runChain,
  status,
  type Path,
  type Recorded,
} from './recording-steps';
import { OPERATOR_PATHS } from './paths-operator';
import { DIRECT_ROW_PATHS, ISSUE_12_PATHS } from './row-paths';
import { WRITE_BACK_PATHS } from './paths-write-back';
import { SERVICENOW_PATHS } from './paths-servicenow';
import { REVIEW_16_PATHS } from './paths-review-16';

export const HISTORIES_DIR = path.join(__dirname, 'histories');

const PATHS: Record<string, Path> = {
  'event-created': async (h) => {
    const { workflowId } = await h.single.start(body());
    await expectOutcome(h.client, workflowId, 'created');
    return { workflowId };
  },

  // A 500 may have stored the ticket: the retry looks up, creates, and the late-duplicate check runs.
  'event-retried-create-late-check': async (h) => {
    h.single.target.createFailures = [new TicketUnavailableError('500 Internal Server Error', { status: 500 })];
    const { workflowId } = await h.single.start(body());
    const outcome = await expectOutcome(h.client, workflowId, 'created');
    if (!('duplicatesCancelled' in outcome) || h.single.target.calls.slice(-2).join() !== 'create,find')
      throw new Error(`late-duplicate check did not run: ${h.single.target.calls}`);
    return { workflowId };
  },

  'event-parked-then-retried': async (h) => {
    h.single.target.createFailures = [
      new TicketValidationError('Data Policy Exception: Assignment group is mandatory', { status: 403 }),
    ];
    const { workflowId } = await h.single.start(body());
    await parked(h.client, workflowId);
    await h.client.workflow
      .getHandle(workflowId)
      .signal(retrySignal, { overrides: { assignment_group: 'replay-fixture-group' }, reason: 'group was missing' });
    await expectOutcome(h.client, workflowId, 'created');
    return { workflowId };
  },

  'event-parked-then-abandoned': async (h) => {
    h.single.target.createFailures = [new TicketValidationError('Invalid urgency', { status: 400 })];
    const { workflowId } = await h.single.start(body());
    await parked(h.client, workflowId);
    await h.client.workflow.getHandle(workflowId).signal(abandonSignal, { reason: 'test row, no ticket wanted' });
    await expectOutcome(h.client, workflowId, 'abandoned');
    return { workflowId };
  },

  'event-park-expired': async (h) => {
    h.shortPark.target.createFailures = [new TicketValidationError('Invalid table', { status: 400 })];
    const { workflowId } = await h.shortPark.start(body());
    const error = await h.client.workflow
      .getHandle(workflowId)
      .result()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    if (
      !(error instanceof WorkflowFailedError) ||
      (error.cause as { type?: string } | undefined)?.type !== 'EventParkExpired'
    )
      throw new Error(`expected EventParkExpired, got ${String(error)}`);
    return { workflowId };
  },

  // The runbook's `temporal workflow reset --type FirstWorkflowTask` after creation; the new run reuses the ticket.
  'event-reset': async (h, server) => {
    const { workflowId, runId: firstRunId } = await h.single.start(body());
    await expectOutcome(h.client, workflowId, 'created');
    const runId = await resetToFirstWorkflowTask(h, server, { workflowId, runId: firstRunId });
    const outcome = await h.client.workflow.getHandle(workflowId, runId).result();
    if (outcome.status !== 'created' || !outcome.reusedExisting)
      throw new Error(`reset run: ${JSON.stringify(outcome)}`);
    return { workflowId, runId };
  },

  // Lifecycle: INSERT, UPDATE, DELETE forwarded one at a time; the server's low continue-as-new
  // threshold (recorder-harness.ts) makes the row workflow continue as new after the UPDATE.
  'row-lifecycle': async (h) => {
    const v1 = { id: 9, title: 'Disk almost full', priority: 'low' };
    const v2 = { ...v1, title: 'Disk full', priority: 'high' };
    const steps = [
      body({ trigger: 'replay_row', op: 'INSERT', old: null, new: v1 }),
      body({ trigger: 'replay_row', op: 'UPDATE', old: v1, new: v2 }),
      body({ trigger: 'replay_row', op: 'DELETE', old: v2, new: null }),
    ].map((b, i) => ({ ...b, created_at: `2026-11-27T10:00:0${i}.100000` }));
    let forwarded: Recorded | undefined;
    let rowWorkflowId = '';
    for (const [i, step] of steps.entries()) {
      const { workflowId } = await h.lifecycle.start(step);
      const outcome = await expectOutcome(h.client, workflowId, 'forwarded');
      if (outcome.status === 'forwarded') rowWorkflowId = outcome.rowWorkflowId;
      forwarded ??= { workflowId };
      await eventually(async () => ((await status(h.client, rowWorkflowId)).row?.applied ?? 0) > i || undefined, {
        what: `row event ${i + 1} applied`,
      });
    }
    await h.client.workflow.getHandle(rowWorkflowId).result();
    const runs = await runChain(h.client, rowWorkflowId);
    if (runs.length < 2) throw new Error(`row workflow did not continue as new (one run of ${rowWorkflowId})`);
    return {
      'event-forwarded': forwarded!,
      'row-lifecycle-continue-as-new': { workflowId: rowWorkflowId, runId: runs[0] },
      'row-lifecycle-closed': { workflowId: rowWorkflowId, runId: runs.at(-1) },
    };
  },

  ...CREATE_PATHS,
  ...OPERATOR_PATHS,
  ...ISSUE_12_PATHS,
  ...WRITE_BACK_PATHS,
  ...SERVICENOW_PATHS,
  ...REVIEW_16_PATHS,
  ...DIRECT_ROW_PATHS,
};

/** Paths recorded at the server's own continue-as-new threshold: the low one would split their run. */
const AT_SERVER_THRESHOLD = new Set(Object.keys(DIRECT_ROW_PATHS));

/** Paths that record more than one file. */
const ROW_FILES: Record<string, string[]> = {
  'row-lifecycle': ['event-forwarded', 'row-lifecycle-continue-as-new', 'row-lifecycle-closed'],
  'row-written-back': ['row-written-back-first-run', 'row-written-back-last-run'],
};

async function save(client: Client, name: string, run: Recorded): Promise<void> {
  const file = path.join(HISTORIES_DIR, `${name}.json`);
  if (existsSync(file)) return console.log(`kept      ${name} (recorded before; fixtures are never re-recorded)`);
  const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
  // Stack traces in failures name this checkout's path, and node_modules' real path where it is a symlink (a
  // worktree sharing another checkout's): fixtures carry no machine's paths.
  const root = path.resolve(__dirname, '..', '..');
  const text = historyToJSON(history)
    .split(`${realpathSync(path.join(root, 'node_modules'))}/`)
    .join('<repo>/node_modules/')
    .split(`${root}/`)
    .join('<repo>/');
  if (/password|secret|authorization/i.test(text))
    throw new Error(`${name}: the history mentions a credential; not saved`);
  writeFileSync(file, text);
  console.log(`recorded  ${name} (${history.events?.length} events, ${Math.round(text.length / 1024)} KiB)`);
}

/** Records `names` on a server of their own; `threshold`: the server's continue-as-new suggestion, if not its own. */
async function record(names: string[], suffix: string, threshold: number | undefined): Promise<void> {
  const server = await startRecordingServer(threshold);
  const harness = await openHarness(server.address).catch(async (error) => {
    await server.stop();
    throw error;
  });
  try {
    for (const name of names) {
      const result = await PATHS[name](harness, server);
      const named = 'workflowId' in result ? { [name]: result as Recorded } : (result as Record<string, Recorded>);
      for (const [file, recorded] of Object.entries(named)) await save(harness.client, `${file}${suffix}`, recorded);
    }
  } finally {
    await harness.close();
    await server.stop();
  }
}

/**
 * `suffix` names the files of one recording of every path, e.g. `-15-worker-policy` after that patch:
 * the same paths as new code runs them are new fixtures, and the old ones stay.
 */
async function main(only: string[], suffix: string): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  mkdirSync(HISTORIES_DIR, { recursive: true });
  const todo = Object.keys(PATHS).filter((name) => {
    if (only.length && !only.includes(name)) return false;
    const files = (ROW_FILES[name] ?? [name]).map((file) => `${file}${suffix}`);
    const kept = files.every((file) => existsSync(path.join(HISTORIES_DIR, `${file}.json`)));
    if (kept) console.log(`kept      ${files.join(', ')} (recorded before; fixtures are never re-recorded)`);
    return !kept;
  });
  const low = todo.filter((name) => !AT_SERVER_THRESHOLD.has(name));
  const own = todo.filter((name) => AT_SERVER_THRESHOLD.has(name));
  if (low.length) await record(low, suffix, SUGGEST_CONTINUE_AS_NEW_AT);
  if (own.length) await record(own, suffix, undefined);
}

const args = process.argv.slice(2);
const suffixArg = args.find((arg) => arg.startsWith('--suffix='));
main(
  args.filter((arg) => arg !== suffixArg),
  suffixArg?.slice('--suffix='.length) ?? '',
).then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
