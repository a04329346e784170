import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * `npm run bench` at BENCH_SCALE=smoke, as a child (it spawns its own dev server, simulator and
 * bridge processes from dist/). No thresholds: only that every section produced numbers, so the
 * benchmark cannot rot unnoticed.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'dist', 'dev', 'bench', 'main.js');
const resultsDir = mkdtempSync(path.join(tmpdir(), 'bench-smoke-'));
const resultsFile = path.join(resultsDir, 'results.json');

type Outcome = { status: string; data?: Record<string, unknown>; message?: string };
let report: { machine: Record<string, unknown>; sections: Record<string, Outcome | Record<string, Outcome>> };
let output = '';

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first (npm test's pretest does)`);
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, BENCH_SCALE: 'smoke', BENCH_RESULTS: resultsFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
  const [code] = await once(child, 'exit');
  clearTimeout(timer);
  if (code !== 0) throw new Error(`bench exited with ${code}:\n${output}`);
  report = JSON.parse(readFileSync(resultsFile, 'utf8'));
}, 250_000);

afterAll(() => rmSync(resultsDir, { recursive: true, force: true }));

const finite = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value);

function ok(outcome: Outcome | undefined): Record<string, unknown> {
  expect(outcome?.message ?? '').toBe('');
  expect(outcome?.status).toBe('ok');
  return outcome?.data ?? {};
}

test('when the smoke benchmark runs, then results.json describes the machine and has every section', () => {
  expect(Object.keys(report.sections).sort()).toEqual(['ack', 'drain', 'endToEnd', 'footprint', 'syncBaseline']);
  expect(report.machine).toEqual(
    expect.objectContaining({
      cpuModel: expect.any(String),
      cores: expect.any(Number),
      memoryMb: expect.any(Number),
      node: process.version,
    }),
  );
  expect(output).toContain('floor/ceiling');
});

test('when the webhook is loaded, then both it and the start-loop floor report throughput and latency', () => {
  const ack = ok((report.sections.ack as Record<string, Outcome>).memory) as {
    closedLoop: { webhook: { throughput: number }; floor: { throughput: number }; throughputRatio: number };
    steps: { webhook: { latencyMs: { p99: number } } }[];
  };
  expect(ack.closedLoop.webhook.throughput).toBeGreaterThan(0);
  expect(ack.closedLoop.floor.throughput).toBeGreaterThan(0);
  expect(finite(ack.closedLoop.throughputRatio)).toBe(true);
  expect(ack.steps.length).toBeGreaterThan(0);
  expect(finite(ack.steps[0].webhook.latencyMs.p99)).toBe(true);
});

test('when incidents flow end to end, then each latency has a bridge rate, a ceiling rate and calls per incident', () => {
  const e2e = ok((report.sections.endToEnd as Record<string, Outcome>).memory) as {
    runs: {
      bridge: { incidentsPerSecond: number; callsPerIncident: number };
      ceiling: { incidentsPerSecond: number };
      ratio: number;
    }[];
  };
  expect(
    e2e.runs.map((run) => run.bridge.incidentsPerSecond > 0 && run.ceiling.incidentsPerSecond > 0 && finite(run.ratio)),
  ).toEqual([true, true]);
  expect(e2e.runs.every((run) => finite(run.bridge.callsPerIncident))).toBe(true);
});

test('when the backlog drains, then drain time, peak request rate and the limit verdict are reported', () => {
  const drain = ok(report.sections.drain as Outcome);
  expect(
    [drain.drainSeconds, drain.idealSeconds, drain.maxObservedPerSecond, drain.peakWindowCalls].every(finite),
  ).toBe(true);
  expect(['enforced', 'not enforced']).toContain(drain.limit);
});

test('when events are parked, then worker and webhook RSS are reported idle, under load and parked', () => {
  const footprint = ok(report.sections.footprint as Outcome) as {
    worker: Record<string, number>;
    webhook: Record<string, number>;
  };
  for (const proc of [footprint.worker, footprint.webhook]) {
    expect([proc.idleMb, proc.underLoadMb, proc.parkedMb].every((mb) => finite(mb) && mb > 0)).toBe(true);
  }
});

test('when the synchronous relay is compared, then both report ack latency and what the outage cost', () => {
  const sync = ok(report.sections.syncBaseline as Outcome) as {
    bridge: { ack: { latencyMs: { p50: number } }; outage: { non2xx: number } };
    syncRelay: { ack: { latencyMs: { p50: number } }; outage: { non2xx: number } };
  };
  expect(finite(sync.bridge.ack.latencyMs.p50) && finite(sync.syncRelay.ack.latencyMs.p50)).toBe(true);
  expect(finite(sync.bridge.outage.non2xx) && finite(sync.syncRelay.outage.non2xx)).toBe(true);
});

test('when incidents flow end to end, then actions per incident come from histories and from the server metric', () => {
  type Cost = { perIncident: number; metricPerIncident: number; metricRatio: number };
  const e2e = ok((report.sections.endToEnd as Record<string, Outcome>).memory) as {
    actions: { bridge: Cost; ceiling: Cost };
  };
  for (const cost of [e2e.actions.bridge, e2e.actions.ceiling]) {
    expect([cost.perIncident, cost.metricPerIncident, cost.metricRatio].every(finite)).toBe(true);
    expect(cost.perIncident).toBeGreaterThan(0);
  }
  // The one-activity workflow: its start and its activity, nothing else.
  expect(e2e.actions.ceiling.perIncident).toBe(2);
});

test('when the overhead is measured at half saturation, then the bridge and the one-activity floor report p50 and p99', () => {
  type Overhead = { ratePerSecond: number; incidents: number; overheadMs: { p50: number; p99: number } };
  const e2e = ok((report.sections.endToEnd as Record<string, Outcome>).memory) as {
    overhead: { bridge: Overhead; floor: Overhead };
  };
  for (const side of [e2e.overhead.bridge, e2e.overhead.floor]) {
    expect([side.ratePerSecond, side.overheadMs.p50, side.overheadMs.p99].every(finite)).toBe(true);
    expect(side.ratePerSecond).toBeGreaterThan(0);
  }
  expect(output).toContain('POST→stored');
});
