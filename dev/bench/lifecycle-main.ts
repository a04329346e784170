import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../src/common/config-error';
import { envInt, parseEnv } from '../../src/settings/env';
import { killAllChildren } from './children';
import { measureScale, type ScalePoint } from './lifecycle-scale';
import { writeResults } from './main';
import { describeMachine } from './report';
import { startBenchStack } from './stack';
import { ratio } from './timing';

const schema = z.object({
  BENCH_LIFECYCLE_ROWS: envInt(1, 100_000).default(10_000),
  BENCH_LIFECYCLE_CHANGES: envInt(2, 100_000).default(10_000),
  /** The baseline both are compared with, in the same run: the same shapes at this size. */
  BENCH_LIFECYCLE_BASELINE: envInt(1, 10_000).default(100),
  BENCH_LIFECYCLE_ROW_IDLE_MS: envInt(10_000, 600_000).default(10_000),
  BENCH_LIFECYCLE_CONCURRENCY: envInt(1, 1000).default(16),
  BENCH_RESULTS: z.string().min(1).default('dev/bench/lifecycle-results.json'),
});

type Figures = Omit<ScalePoint, 'rows' | 'changes'>;
const RATIO_KEYS: (keyof Figures)[] = [
  'historyEventsPerRow',
  'historyEventsPerChange',
  'largestRunHistoryEvents',
  'servicenowCallsPerChange',
  'workerRssPeakMb',
];

function table(title: string, baseline: ScalePoint, measured: ScalePoint): string {
  const lines = [
    `${title}: ${measured.rows} × ${measured.changes / measured.rows} vs ${baseline.rows} × ${baseline.changes / baseline.rows}`,
  ];
  for (const key of Object.keys(measured) as (keyof ScalePoint)[]) {
    const ratioText = RATIO_KEYS.includes(key as keyof Figures)
      ? `  ratio ${ratio(Number(measured[key]), Number(baseline[key]))}`
      : '';
    lines.push(`  ${key.padEnd(28)} ${String(measured[key]).padStart(10)}  (baseline ${baseline[key]})${ratioText}`);
  }
  return lines.join('\n');
}

/**
 * `npm run bench:lifecycle`: lifecycle cost at scale. Many rows with one change each, and one row with
 * many changes, each beside a small baseline of the same shape in the same run (README "Performance").
 */
async function main(): Promise<void> {
  const e = parseEnv(schema, process.env);
  const workDir = mkdtempSync(path.join(tmpdir(), 'incident-bridge-bench-lifecycle-'));
  // info: the bridge's readiness line is logged at info.
  const stack = await startBenchStack({ temporal: 'dev', storage: 'sqlite', workDir, logLevel: 'info' });
  const base = { rowIdleMs: e.BENCH_LIFECYCLE_ROW_IDLE_MS, concurrency: e.BENCH_LIFECYCLE_CONCURRENCY };
  try {
    const point = (rows: number, changesPerRow: number) => {
      console.error(`bench:lifecycle: ${rows} row(s) × ${changesPerRow} change(s) …`);
      // Each point as soon as it is measured: a long run that is cut short still leaves its figures.
      return measureScale(stack, { ...base, rows, changesPerRow }).then((point) => {
        console.error(`bench:lifecycle: ${JSON.stringify(point)}`);
        return point;
      });
    };
    const manyRowsBaseline = await point(e.BENCH_LIFECYCLE_BASELINE, 1);
    const manyRows = await point(e.BENCH_LIFECYCLE_ROWS, 1);
    const oneRowBaseline = await point(1, e.BENCH_LIFECYCLE_BASELINE);
    const oneRow = await point(1, e.BENCH_LIFECYCLE_CHANGES);
    console.log(table('many rows, one change each', manyRowsBaseline, manyRows));
    console.log(table('one row, many changes', oneRowBaseline, oneRow));
    const report = { generatedAt: new Date().toISOString(), machine: describeMachine(), settings: e };
    writeResults(
      { ...report, points: { manyRowsBaseline, manyRows, oneRowBaseline, oneRow } } as never,
      e.BENCH_RESULTS,
    );
    console.log(`\nwritten to ${e.BENCH_RESULTS}`);
    rmSync(workDir, { recursive: true, force: true });
  } finally {
    await stack.close();
  }
}

process.on('exit', killAllChildren);
main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error instanceof ConfigError ? `bench:lifecycle: ${error.message}` : error.stack);
    process.exit(error instanceof ConfigError ? 2 : 1);
  },
);
