import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { ROW_WORKFLOW_TYPE } from '../../src/contract';
import { packageRoot } from '../../src/package-root';
import { deliverLikeHasura, hasuraEventBody, HttpPool } from '../chaos/hasura-deliverer';
import { BENCH_SECRET } from './events';
import { sampleRssPeaks } from './rss';
import { CHAOS_CORRELATION_ENV } from '../chaos/lifecycle/run';
import { startBridge, type BenchStack } from './stack';
import { round, waitFor } from './timing';

const CONFIG = path.join(packageRoot(), 'dev', 'chaos', 'lifecycle.yaml');
const TRIGGER = 'incident_lifecycle';
const PRIORITIES = ['low', 'medium', 'high', 'critical'];

export interface ScaleOptions {
  rows: number;
  /** Changes per row: an INSERT, then UPDATEs each following the one before. */
  changesPerRow: number;
  /** ROW_IDLE for the worker: short, so the measurement can wait it out. */
  rowIdleMs: number;
  /** Deliveries in flight at once (Hasura's HTTP pool). */
  concurrency: number;
  signal?: AbortSignal;
}

export interface ScalePoint {
  rows: number;
  changes: number;
  ingestSeconds: number;
  /** Workflows still open once ROW_IDLE (plus a minute at most) has passed after the last ticket write. */
  openAfterIdle: number;
  /** From the last ticket write until no workflow was open. */
  secondsUntilNoneOpen: number;
  rowRuns: number;
  /** History events of all row workflow runs, per row and per change; the largest single run. */
  historyEventsPerRow: number;
  historyEventsPerChange: number;
  largestRunHistoryEvents: number;
  /** Event workflows' history events per change: 0 since the webhook signals row workflows itself (issue 16). */
  eventHistoryEventsPerChange: number;
  servicenowCallsPerChange: number;
  workerRssPeakMb: number | null;
  workerRssAfterIdleMb: number | null;
}

/** Row `r`'s change `k`: an INSERT, then UPDATEs whose old image is the previous change's new one. */
function changeBody(runTag: string, row: number, k: number, at: number): Record<string, unknown> {
  // Keys no earlier point used: a row workflow that finished idle would resume with a ticket the reset simulator lost.
  const id = parseInt(runTag, 16) * 100_000 + row;
  const image = (v: number) => ({ id, title: `${runTag} row ${row} v${v}`, priority: PRIORITIES[v % 4] });
  const body = hasuraEventBody({
    trigger: TRIGGER,
    op: k === 0 ? 'INSERT' : 'UPDATE',
    old: k === 0 ? null : image(k - 1),
    new: image(k),
  });
  return { ...body, created_at: new Date(at).toISOString().replace('Z', '') };
}

async function historyOf(client: Client, taskQueue: string, type: string) {
  let runs = 0;
  let events = 0;
  let largest = 0;
  const query = `TaskQueue="${taskQueue}" AND WorkflowType="${type}"`;
  for await (const execution of client.workflow.list({ query, pageSize: 1000 })) {
    runs += 1;
    events += execution.historyLength;
    largest = Math.max(largest, execution.historyLength);
  }
  return { runs, events, largest };
}

/** Delivers every change (closed loop, `concurrency` in flight), rows interleaved, each row's changes in order. */
async function deliver(url: string, options: ScaleOptions, runTag: string): Promise<number> {
  const pool = new HttpPool(options.concurrency);
  const started = Date.now();
  const deliveries: Promise<unknown>[] = [];
  for (let k = 0; k < options.changesPerRow; k += 1)
    for (let row = 0; row < options.rows; row += 1) {
      const body = changeBody(runTag, row, k, started + k * 10);
      deliveries.push(deliverLikeHasura(body, { url, secret: BENCH_SECRET, pool, numRetries: 100, intervalSec: 1 }));
    }
  await Promise.all(deliveries);
  return (Date.now() - started) / 1000;
}

/**
 * One scale point: `rows` rows with `changesPerRow` changes each through the real webhook and worker
 * (dev/chaos/lifecycle.yaml), then ROW_IDLE waited out: what stays open, what history it cost.
 */
export async function measureScale(stack: BenchStack, options: ScaleOptions): Promise<ScalePoint> {
  const { simulator, client } = stack;
  const env = {
    ...{ BRIDGE_CONFIG: CONFIG, ROW_IDLE: `${options.rowIdleMs}ms`, TICKET_ATTEMPT_TIMEOUT: '5s' },
    ...CHAOS_CORRELATION_ENV,
  };
  const bridge = await startBridge(stack, { name: `lifecycle-${options.rows}x${options.changesPerRow}`, env });
  try {
    simulator.reset();
    const rss = sampleRssPeaks(bridge.worker ? [bridge.worker] : []);
    const runTag = randomUUID().slice(0, 8);
    const ingestSeconds = await deliver(bridge.eventsUrl, options, runTag);
    const last = `${runTag} row 0 v${options.changesPerRow - 1}`;
    // Generous: on a loaded 2-core machine 2000 rows took longer than 100 ms each after their delivery.
    const timeoutMs = 300_000 + options.rows * options.changesPerRow * 500;
    await waitFor(
      () =>
        simulator.records().filter((r) => r.short_description.startsWith(`${runTag} `)).length >= options.rows &&
        simulator.records().some((r) => r.short_description === last)
          ? true
          : undefined,
      { timeoutMs, what: 'every row ticket at its last change', intervalMs: 500, signal: options.signal },
    );
    const changes = options.rows * options.changesPerRow;
    const calls = simulator.stats().total;
    const written = Date.now();
    // Every run finishes ROW_IDLE after its last event: poll until none is open, or a minute past that.
    const running = `TaskQueue="${bridge.taskQueue}" AND ExecutionStatus="Running"`;
    const openCount = async () => (await client.workflow.count(running)).count;
    const open = await waitFor(async () => ((await openCount()) === 0 ? 0 : undefined), {
      timeoutMs: options.rowIdleMs + 60_000,
      what: 'every row workflow finished idle',
      intervalMs: 1_000,
      signal: options.signal,
    }).catch(openCount);
    const idleSeconds = (Date.now() - written) / 1000;
    const rows = await historyOf(client, bridge.taskQueue, ROW_WORKFLOW_TYPE);
    const events = await historyOf(client, bridge.taskQueue, 'hasuraEventWorkflow');
    const peak = rss.stop();
    return {
      rows: options.rows,
      changes,
      ingestSeconds: round(ingestSeconds, 1),
      openAfterIdle: open,
      secondsUntilNoneOpen: round(idleSeconds, 1),
      rowRuns: rows.runs,
      historyEventsPerRow: round(rows.events / options.rows, 1),
      historyEventsPerChange: round(rows.events / changes, 2),
      largestRunHistoryEvents: rows.largest,
      eventHistoryEventsPerChange: round(events.events / changes, 1),
      servicenowCallsPerChange: round(calls / changes, 2),
      workerRssPeakMb: bridge.worker ? (peak[bridge.worker.name] ?? null) : null,
      workerRssAfterIdleMb: bridge.worker?.rssMb() ?? null,
    };
  } finally {
    await bridge.stop();
  }
}
