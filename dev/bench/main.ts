import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../src/common/config-error';
import { runAckSection } from './ack';
import { killAllChildren } from './children';
import { benchConfigFromEnv, type BenchConfig, type StorageMode } from './config';
import { runDrainSection } from './drain';
import { runEndToEndSection } from './e2e';
import { runFootprintSection } from './footprint';
import { describeMachine, renderTable, type BenchReport } from './report';
import { runSection, type SectionContext, type SectionOutcome } from './section';
import { startBenchStack, type BenchStack } from './stack';
import { runSyncBaselineSection } from './sync-baseline';

type Sections = BenchReport['sections'];
const notRun = (why: string): SectionOutcome<never> => ({ status: 'error', message: why });
/** The issue asks the cluster for the throughput sections; 4–6 measure the bridge's own behaviour, not the server. */
const CLUSTER_SKIPS: SectionOutcome<never> = { status: 'skipped', message: 'BENCH_TEMPORAL=cluster runs sections 1-3' };

/** The stacks now running, so a SIGINT/SIGTERM stops them (the cluster's server and PostgreSQL) before exiting. */
const liveStacks = new Set<BenchStack>();

async function runOnStorage(
  config: BenchConfig,
  storage: StorageMode,
  options: { workDir: string; everySection: boolean },
  { sections, servers }: Pick<BenchReport, 'sections' | 'servers'>,
): Promise<void> {
  const stack = await startBenchStack({
    temporal: config.temporal,
    storage,
    workDir: options.workDir,
    logLevel: config.logLevel,
  });
  liveStacks.add(stack);
  servers[storage] = stack.temporalServer;
  const run = <T>(name: string, body: (ctx: SectionContext) => Promise<T>): Promise<SectionOutcome<T>> =>
    runSection(`${name} (${storage})`, config.sectionTimeoutMs, (signal) => body({ config, stack, signal }));
  try {
    sections.ack[storage] = await run('1 webhook ack', runAckSection);
    sections.endToEnd[storage] = await run('2+3 end to end', runEndToEndSection);
    if (!options.everySection) return;
    sections.syncBaseline = await run('6 synchronous baseline', runSyncBaselineSection);
    sections.drain = await run('4 backlog drain', runDrainSection);
    // Parking N events runs at end-to-end pace (~15/s here), so its bound grows with N.
    sections.footprint = await runSection(
      `5 footprint (${storage})`,
      Math.max(config.sectionTimeoutMs, config.parkedWorkflows * 120),
      (signal) => runFootprintSection({ config, stack, signal }),
    );
  } finally {
    await stack.close();
    liveStacks.delete(stack);
  }
}

/**
 * The whole benchmark: its own Temporal server per storage mode (the dev server, or with BENCH_TEMPORAL=cluster
 * the full server on PostgreSQL), simulator and bridge processes; every section bounded by its timeout. The
 * dev server's first storage mode runs every section, the others and the cluster the throughput sections only.
 */
export async function runBench(config: BenchConfig): Promise<BenchReport> {
  const started = Date.now();
  const workDir = mkdtempSync(path.join(tmpdir(), 'incident-bridge-bench-'));
  const rest = config.temporal === 'cluster' ? CLUSTER_SKIPS : notRun('not run');
  const sections: Sections = { ack: {}, endToEnd: {}, syncBaseline: rest, drain: rest, footprint: rest };
  const servers: BenchReport['servers'] = {};
  let failed = false;
  try {
    for (const [index, storage] of config.storage.entries()) {
      const everySection = index === 0 && config.temporal === 'dev';
      await runOnStorage(config, storage, { workDir, everySection }, { sections, servers }).catch((error: Error) => {
        console.error(`bench: ${storage} stack failed: ${error.stack ?? error.message}`);
        sections.ack[storage] ??= notRun(error.message);
        sections.endToEnd[storage] ??= notRun(error.message);
      });
    }
    failed = [
      ...Object.values(sections.ack),
      ...Object.values(sections.endToEnd),
      sections.syncBaseline,
      sections.drain,
      sections.footprint,
    ].some((s) => s.status !== 'ok' && s.status !== 'skipped');
  } finally {
    killAllChildren();
    if (failed) console.error(`bench: child logs kept in ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }
  return {
    generatedAt: new Date().toISOString(),
    machine: describeMachine(),
    settings: config,
    servers,
    durationSeconds: Math.round((Date.now() - started) / 1000),
    sections,
  };
}

export function writeResults(report: object, file: string): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}

/** Stops the running stacks, then exits as a signalled process would (128 + signal number). */
function stopOnSignal(signal: 'SIGINT' | 'SIGTERM', code: number): void {
  process.once(signal, () => {
    console.error(`bench: ${signal}, stopping what the run started`);
    killAllChildren();
    void Promise.allSettled([...liveStacks].map((stack) => stack.close())).then(() => process.exit(code));
  });
}

if (require.main === module) {
  process.on('exit', killAllChildren);
  stopOnSignal('SIGINT', 130);
  stopOnSignal('SIGTERM', 143);
  let config: BenchConfig;
  try {
    config = benchConfigFromEnv(process.env);
  } catch (error) {
    console.error(`bench: ${error instanceof ConfigError ? error.message : String(error)}`);
    process.exit(2);
  }
  runBench(config).then(
    (report) => {
      console.log(renderTable(report));
      writeResults(report, config.resultsPath);
      console.log(`\nwritten to ${config.resultsPath}`);
      process.exit(0);
    },
    (error: Error) => {
      console.error(`bench failed: ${error.stack ?? error.message}`);
      process.exit(1);
    },
  );
}
