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
import { startBenchStack } from './stack';
import { runSyncBaselineSection } from './sync-baseline';

type Sections = BenchReport['sections'];
const notRun = (why: string): SectionOutcome<never> => ({ status: 'error', message: why });

async function runOnStorage(
  config: BenchConfig,
  storage: StorageMode,
  options: { workDir: string; everySection: boolean },
  sections: Sections,
): Promise<void> {
  const stack = await startBenchStack({ storage, workDir: options.workDir, logLevel: config.logLevel });
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
  }
}

/**
 * The whole benchmark: its own dev server per storage mode, simulator and bridge processes; every
 * section bounded by its timeout. The first storage mode runs every section, the others the
 * throughput sections only.
 */
export async function runBench(config: BenchConfig): Promise<BenchReport> {
  const started = Date.now();
  const workDir = mkdtempSync(path.join(tmpdir(), 'incident-bridge-bench-'));
  const sections: Sections = {
    ack: {},
    endToEnd: {},
    syncBaseline: notRun('not run'),
    drain: notRun('not run'),
    footprint: notRun('not run'),
  };
  let failed = false;
  try {
    for (const [index, storage] of config.storage.entries()) {
      await runOnStorage(config, storage, { workDir, everySection: index === 0 }, sections).catch((error: Error) => {
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
    ].some((s) => s.status !== 'ok');
  } finally {
    killAllChildren();
    if (failed) console.error(`bench: child logs kept in ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }
  return {
    generatedAt: new Date().toISOString(),
    machine: describeMachine(),
    settings: config,
    durationSeconds: Math.round((Date.now() - started) / 1000),
    sections,
  };
}

export function writeResults(report: object, file: string): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}

if (require.main === module) {
  process.on('exit', killAllChildren);
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
