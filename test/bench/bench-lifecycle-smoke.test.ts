import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ScalePoint } from '../../dev/bench/lifecycle-scale';

/**
 * `npm run bench:lifecycle` at a small size, as a child (its own dev server, simulator, webhook and worker
 * from dist/), so the scale benchmark cannot rot. No speed thresholds: the figures exist, every row workflow
 * finished idle, and one row's runs stayed within the run's history limit.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'dist', 'dev', 'bench', 'lifecycle-main.js');
const resultsDir = mkdtempSync(path.join(tmpdir(), 'bench-lifecycle-smoke-'));
const resultsFile = path.join(resultsDir, 'results.json');
const SMOKE = { BENCH_LIFECYCLE_ROWS: '20', BENCH_LIFECYCLE_CHANGES: '60', BENCH_LIFECYCLE_BASELINE: '5' };

let points: Record<'manyRowsBaseline' | 'manyRows' | 'oneRowBaseline' | 'oneRow', ScalePoint>;
let output = '';

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first (npm test's pretest does)`);
  const env = { ...process.env, ...SMOKE, BENCH_LIFECYCLE_ROW_IDLE_MS: '10000', BENCH_RESULTS: resultsFile };
  const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 230_000);
  const [code] = await once(child, 'exit');
  clearTimeout(timer);
  if (code !== 0) throw new Error(`bench:lifecycle exited with ${code}:\n${output}`);
  points = JSON.parse(readFileSync(resultsFile, 'utf8')).points;
}, 240_000);

afterAll(() => rmSync(resultsDir, { recursive: true, force: true }));

test('when the lifecycle scale benchmark runs, then every point has its figures and no workflow stays open after ROW_IDLE', () => {
  expect(Object.keys(points).sort()).toEqual(['manyRows', 'manyRowsBaseline', 'oneRow', 'oneRowBaseline']);
  for (const point of Object.values(points)) {
    expect(point.openAfterIdle).toBe(0);
    for (const key of ['historyEventsPerRow', 'servicenowCallsPerChange'] as const)
      expect(Number.isFinite(point[key]) && point[key] > 0).toBe(true);
    // The webhook signals the row workflow itself: a row change starts no event workflow.
    expect(point.eventHistoryEventsPerChange).toBe(0);
  }
  expect(points.manyRows).toMatchObject({ rows: 20, changes: 20, rowRuns: 20 });
  expect(points.oneRow).toMatchObject({ rows: 1, changes: 60 });
  expect(output).toContain('one row, many changes');
});
