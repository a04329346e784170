import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readmeCommands } from '../helpers/readme';
import { describeOnCluster } from './gate';

/**
 * The README's `BENCH_TEMPORAL=cluster npm run bench`, at BENCH_SCALE=smoke, as a child of the built benchmark
 * (`npm run test:cluster` builds first), the way test/bench/bench-smoke.test.ts runs the dev-server one. No
 * thresholds: that sections 1–3 produce figures on the PostgreSQL-backed server, that the report says which
 * server, and that the server and PostgreSQL it starts are gone when it ends, also when interrupted.
 */
const MAIN = path.resolve(__dirname, '..', '..', 'dist', 'dev', 'bench', 'main.js');
const SERVER_NAMES = ['temporal-server', 'postgres'];
const RUN_BUDGET_MS = 540_000;

/** `A=1 B=2 npm run bench` → { A: '1', B: '2' }: the README line's variables, exactly as it shows them. */
function readmeBenchEnv(): Record<string, string> {
  const line = readmeCommands('## Performance').find((command) => command.includes('BENCH_TEMPORAL=cluster'));
  if (!line) throw new Error('README "Performance" shows no BENCH_TEMPORAL=cluster command');
  const [assignments, rest] = line.split(/\bnpm run bench\b/);
  expect(rest).toBeDefined();
  return Object.fromEntries(
    assignments
      .trim()
      .split(/\s+/)
      .map((pair) => pair.split('=') as [string, string]),
  );
}

/** The server processes the benchmark spawned itself: its direct children by /proc's parent pid and name. */
function serverChildren(parent: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return ppid === parent && SERVER_NAMES.includes(name) ? [Number(entry)] : [];
      } catch {
        return []; // gone between the listing and the read
      }
    });
}

interface BenchRun {
  child: ChildProcess;
  output: () => string;
  /** Every server child seen while it ran. */
  servers: Set<number>;
  exit: Promise<number | null>;
}

function startBench(env: NodeJS.ProcessEnv): BenchRun {
  let output = '';
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const servers = new Set<number>();
  const poll = setInterval(() => serverChildren(child.pid!).forEach((pid) => servers.add(pid)), 250);
  // Past the budget it is asked to stop as a user would, so it still takes its servers along.
  const budget = setTimeout(() => child.kill('SIGINT'), RUN_BUDGET_MS);
  const exit = once(child, 'exit').then(([code]) => {
    clearInterval(poll);
    clearTimeout(budget);
    return code as number | null;
  });
  return { child, output: () => output, servers, exit };
}

async function waitForOutput(run: BenchRun, text: string): Promise<void> {
  while (!run.output().includes(text)) {
    if (run.child.exitCode !== null) throw new Error(`bench exited before "${text}":\n${run.output()}`);
    await sleep(250);
  }
}

/** An exited child is reaped by the benchmark before it exits; a lingering one would keep its /proc entry. */
function alive(pids: Set<number>): number[] {
  return [...pids].filter((pid) => existsSync(`/proc/${pid}`));
}

type Outcome = { status: string; data?: Record<string, unknown>; message?: string };
type Report = {
  settings: { temporal: string; storage: string[] };
  servers: Record<string, string>;
  sections: Record<string, Outcome | Record<string, Outcome>>;
};

describeOnCluster('BENCH_TEMPORAL=cluster npm run bench (the README command at smoke size)', () => {
  const resultsDir = mkdtempSync(path.join(tmpdir(), 'bench-cluster-'));
  const resultsFile = path.join(resultsDir, 'results.json');
  const smoke = { BENCH_SCALE: 'smoke', BENCH_SECTION_TIMEOUT_MS: '240000', BENCH_RESULTS: resultsFile };
  let run: BenchRun;
  let code: number | null;
  let report: Report;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first (test:cluster does)`);
    run = startBench({ ...readmeBenchEnv(), ...smoke });
    code = await run.exit;
    if (code !== 0) throw new Error(`bench exited with ${code}:\n${run.output()}`);
    report = JSON.parse(readFileSync(resultsFile, 'utf8'));
  }, RUN_BUDGET_MS + 30_000);
  afterAll(() => rmSync(resultsDir, { recursive: true, force: true }));

  test('when it runs, then the report names the full server on PostgreSQL', () => {
    expect(report.settings).toMatchObject({ temporal: 'cluster', storage: ['postgres'] });
    expect(report.servers.postgres).toMatch(/^temporal server v\d+\.\d+\.\d+ on PostgreSQL \d+/);
    expect(run.output()).toContain(`Temporal (BENCH_TEMPORAL=cluster): postgres: ${report.servers.postgres}`);
  });

  test('when it runs, then sections 1-3 have figures on the cluster and 4-6 are skipped, not failed', () => {
    const ack = (report.sections.ack as Record<string, Outcome>).postgres;
    const e2e = (report.sections.endToEnd as Record<string, Outcome>).postgres;
    expect([ack.status, ack.message, e2e.status, e2e.message]).toEqual(['ok', undefined, 'ok', undefined]);
    const { runs, actions } = e2e.data as {
      runs: { bridge: { incidentsPerSecond: number; callsPerIncident: number }; ratio: number }[];
      actions: { ceiling: { perIncident: number }; bridge: { perIncident: number; metricPerIncident: number } };
    };
    expect(runs.map((r) => r.bridge.incidentsPerSecond > 0 && Number.isFinite(r.ratio))).toEqual([true, true]);
    expect(runs.every((r) => Number.isFinite(r.bridge.callsPerIncident))).toBe(true);
    // The one-activity workflow costs its start and its activity on any server.
    expect(actions.ceiling.perIncident).toBe(2);
    expect(actions.bridge.metricPerIncident).toBeGreaterThan(0);
    const rest = ['syncBaseline', 'drain', 'footprint'].map((name) => (report.sections[name] as Outcome).status);
    expect(rest).toEqual(['skipped', 'skipped', 'skipped']);
  });

  test('when it ends, then the Temporal server and PostgreSQL it started are gone', () => {
    expect(run.servers.size).toBeGreaterThanOrEqual(SERVER_NAMES.length);
    expect(alive(run.servers)).toEqual([]);
  });

  test('when it is interrupted with SIGINT mid-section, then it stops its servers and exits 130', async () => {
    const interrupted = startBench({ ...readmeBenchEnv(), ...smoke, BENCH_RESULTS: `${resultsFile}.interrupted` });
    await waitForOutput(interrupted, 'bench: 1 webhook ack (postgres)');
    const seen = new Set(serverChildren(interrupted.child.pid!));
    expect(seen.size).toBe(SERVER_NAMES.length);
    interrupted.child.kill('SIGINT');
    expect([await interrupted.exit, alive(seen)]).toEqual([130, []]);
    expect(interrupted.output()).toContain('bench: SIGINT, stopping what the run started');
  }, 300_000);
});
