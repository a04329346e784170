import { setTimeout as sleep } from 'node:timers/promises';
import type { DelayedAnswer } from '../simulator/servicenow/delayed-commit';
import type { ChaosStack } from './chaos-stack';

export type FaultKind =
  | 'worker-sigkill'
  | 'webhook-restart'
  | 'temporal-sigterm'
  | 'temporal-sigkill'
  | 'servicenow-5xx'
  | 'servicenow-429-storm'
  | 'servicenow-outage'
  | 'servicenow-slow-commit'
  | 'servicenow-delayed-commit';

export interface FaultStep {
  atMs: number;
  kind: FaultKind;
  /** Window faults: how long the simulator misbehaves. */
  durationMs?: number;
  /** slow-then-commit, delayed-commit: how many creates it affects. */
  count?: number;
  /** delayed-commit: how long each create stays invisible, and what its caller hears. */
  commitAfterMs?: number;
  answer?: DelayedAnswer;
}

export interface FaultTimings {
  /** How long events keep arriving; the schedule is spread over it. */
  ingestMs: number;
  outageMs: number;
  stormMs: number;
  errorWindowMs: number;
  slowCommits: number;
  /**
   * Creates per delayed-commit step that stay invisible to every lookup for `commitAfterMs`, then commit:
   * longer than the bridge's HTTP timeout (the attempt gives up and a retry follows), shorter than its
   * DUPLICATE_CHECK_DELAY (the late check after that retry sees the commit).
   */
  delayedCommits: number;
  commitAfterMs: number;
  /** How long a killed process stays down before it is started again. */
  downMs: number;
}

/**
 * When each fault starts, as fractions of the ingest window, so short and long runs tell the same
 * story: ServiceNow windows that do not overlap (so each is really met), a worker killed while
 * tickets are being created, then processes dying one after another while the outage holds the backlog.
 */
const SCHEDULE: { at: number; kind: FaultKind; answer?: DelayedAnswer }[] = [
  { at: 0.02, kind: 'servicenow-5xx' },
  { at: 0.1, kind: 'servicenow-slow-commit' },
  { at: 0.15, kind: 'webhook-restart' },
  { at: 0.28, kind: 'worker-sigkill' },
  { at: 0.32, kind: 'servicenow-delayed-commit', answer: 'never' },
  { at: 0.38, kind: 'servicenow-429-storm' },
  { at: 0.5, kind: 'servicenow-outage' },
  { at: 0.6, kind: 'temporal-sigterm' },
  { at: 0.65, kind: 'worker-sigkill' },
  { at: 0.72, kind: 'webhook-restart' },
  { at: 0.74, kind: 'servicenow-delayed-commit', answer: 'late' },
  { at: 0.78, kind: 'worker-sigkill' },
  { at: 0.82, kind: 'temporal-sigkill' },
  { at: 0.86, kind: 'servicenow-slow-commit' },
  { at: 0.9, kind: 'servicenow-delayed-commit', answer: 'after-commit' },
  { at: 0.92, kind: 'worker-sigkill' },
];

export function planFaults(timings: FaultTimings): FaultStep[] {
  const windows: Partial<Record<FaultKind, number>> = {
    'servicenow-5xx': timings.errorWindowMs,
    'servicenow-429-storm': timings.stormMs,
    'servicenow-outage': timings.outageMs,
  };
  const counts: Partial<Record<FaultKind, number>> = {
    'servicenow-slow-commit': timings.slowCommits,
    'servicenow-delayed-commit': timings.delayedCommits,
  };
  return SCHEDULE.map(({ at, kind, answer }) => ({
    atMs: Math.round(at * timings.ingestMs),
    kind,
    durationMs: windows[kind],
    count: counts[kind],
    ...(answer && { answer, commitAfterMs: timings.commitAfterMs }),
  }));
}

const pause = (ms: number, signal?: AbortSignal): Promise<void> =>
  sleep(Math.max(0, ms), undefined, { signal }).catch(() => undefined);

/** Applies one fault and resolves when it is over: the process is back, or the window has closed. */
async function inject(
  step: FaultStep,
  stack: ChaosStack,
  options: { downMs: number; signal?: AbortSignal },
): Promise<void> {
  const { simulator } = stack;
  const { downMs } = options;
  const windowMs = step.durationMs ?? 0;
  switch (step.kind) {
    case 'worker-sigkill':
      return stack.worker.restart({ signal: 'SIGKILL', downMs });
    case 'webhook-restart':
      return stack.webhook.restart({ signal: 'SIGTERM', downMs });
    case 'temporal-sigterm':
      return stack.temporal.restart({ signal: 'SIGTERM', downMs });
    case 'temporal-sigkill':
      return stack.temporal.restart({ signal: 'SIGKILL', downMs });
    case 'servicenow-5xx': {
      // Not 503: that one is the outage's answer, and the two should be told apart in the figures.
      const before = answered(stack, ['500', '502', '504']);
      simulator.patchFaults({ errorRate: 0.2, errorStatuses: [500, 502, 504] });
      await pause(windowMs, options.signal);
      await untilMet(() => answered(stack, ['500', '502', '504']) > before, windowMs * 2, options.signal);
      // errorRate has no expiry of its own.
      return simulator.patchFaults({ errorRate: 0 });
    }
    case 'servicenow-429-storm': {
      const before = answered(stack, ['429']);
      simulator.patchFaults({ storm429: { untilEpochMs: Date.now() + windowMs, retryAfterSec: 2 } });
      await pause(windowMs, options.signal);
      // On a loaded machine no call may fall in the window: then the next calls get the storm's answer.
      if (answered(stack, ['429']) === before) simulator.patchFaults({ storm429: { count: 3, retryAfterSec: 2 } });
      return;
    }
    case 'servicenow-outage':
      simulator.patchFaults({ outage: { forMs: Math.max(1, windowMs) } });
      return pause(windowMs, options.signal);
    case 'servicenow-slow-commit':
      return simulator.patchFaults({ slowThenCommit: { count: step.count ?? 1 } });
    case 'servicenow-delayed-commit': {
      const { count = 1, commitAfterMs, answer } = step;
      // A `late` answer comes a second after the commit: the bridge has given up on it long before.
      return simulator.patchFaults({ delayedCommit: { count, commitAfterMs, answer, lateByMs: 1_000 } });
    }
  }
}

/** How many Table API calls the simulator has answered with one of these statuses. */
function answered(stack: ChaosStack, statuses: string[]): number {
  const { byStatus } = stack.simulator.stats();
  return statuses.reduce((sum, status) => sum + (byStatus[status] ?? 0), 0);
}

/** A fault window is stretched (up to `maxMs`) until the bridge has really met the fault once. */
async function untilMet(met: () => boolean, maxMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (!met() && Date.now() < deadline && !signal?.aborted) await pause(100, signal);
}

export interface FaultLogEntry {
  kind: FaultKind;
  atMs: number;
  /** Until the process was back up, or the window closed. */
  lastedMs: number;
  error?: string;
}

/** Faults on the same process wait for each other (a restart must finish before the next kill). */
function targetOf(kind: FaultKind): string {
  return kind.startsWith('servicenow-') ? kind : kind.split('-')[0];
}

/**
 * Starts each step at its time, whatever earlier steps on other targets are doing, and returns once
 * every fault is over. A fault that fails to inject is logged, not fatal.
 */
export async function runFaultPlan(
  steps: FaultStep[],
  stack: ChaosStack,
  options: { downMs: number; signal?: AbortSignal },
): Promise<FaultLogEntry[]> {
  const started = Date.now();
  const log: FaultLogEntry[] = [];
  const chains = new Map<string, Promise<void>>();
  for (const step of steps) {
    await pause(started + step.atMs - Date.now(), options.signal);
    if (options.signal?.aborted) break;
    const target = targetOf(step.kind);
    const run = async () => {
      if (options.signal?.aborted) return;
      const begun = Date.now();
      const error = await inject(step, stack, options).then(
        () => undefined,
        (failure: Error) => failure.message,
      );
      log.push({ kind: step.kind, atMs: begun - started, lastedMs: Date.now() - begun, error });
    };
    chains.set(target, (chains.get(target) ?? Promise.resolve()).then(run));
  }
  await Promise.all(chains.values());
  return log.sort((a, b) => a.atMs - b.atMs);
}
