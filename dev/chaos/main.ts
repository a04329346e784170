import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../src/common/config-error';
import { lifecycleOptionsFromEnv } from './lifecycle/options';
import { formatLifecycleReport, runLifecycleChaos } from './lifecycle/run';
import { chaosOptionsFromEnv } from './options';
import { formatReport, writeReport } from './report';
import { runChaos } from './run';
import { packageRoot } from '../../src/package-root';

const RESULTS_DIR = path.join(packageRoot(), 'chaos-results');

/**
 * `npm run chaos`: CHAOS_EVENTS (default 1000) events through the real processes while they are
 * killed and ServiceNow misbehaves; prints the table, writes chaos-results/*.json, exits 1 on a
 * broken promise (CHAOS_KEEP_LOGS=1 keeps the process logs either way). Ctrl-C stops the run and
 * still cleans up every process it started.
 */
async function main(): Promise<number> {
  const options = chaosOptionsFromEnv(process.env);
  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) process.exit(130);
    console.error('chaos: stopping (again to exit at once)');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const started = Date.now();
  const progress = (line: string) => console.log(`chaos: ${line}`);
  if (process.argv.includes('--lifecycle')) return lifecycle(abort.signal, progress);
  const report = await runChaos(options, {
    signal: abort.signal,
    progress,
    keepWorkDir: process.env.CHAOS_KEEP_LOGS === '1',
  });
  console.log(formatReport(report));
  console.log(
    `results: ${path.relative(process.cwd(), writeReport(report, RESULTS_DIR))} (run took ${Math.round((Date.now() - started) / 1000)} s)`,
  );
  if (report.workDir) console.log(`process logs and the Temporal database kept in ${report.workDir}`);
  return report.failures.length === 0 ? 0 : 1;
}

/** `npm run chaos -- --lifecycle`: row histories from a real PostgreSQL, each row's ticket judged at the end. */
async function lifecycle(signal: AbortSignal, progress: (line: string) => void): Promise<number> {
  const keepWorkDir = process.env.CHAOS_KEEP_LOGS === '1';
  const report = await runLifecycleChaos(lifecycleOptionsFromEnv(process.env), { signal, progress, keepWorkDir });
  console.log(formatLifecycleReport(report));
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `lifecycle-chaos-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`results: ${path.relative(process.cwd(), file)}`);
  if (report.workDir) console.log(`process logs and the Temporal database kept in ${report.workDir}`);
  return report.failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof ConfigError ? `chaos: ${error.message}` : error);
    process.exit(error instanceof ConfigError ? 2 : 1);
  },
);
