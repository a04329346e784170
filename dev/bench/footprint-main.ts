import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { killAllChildren } from './children';
import { benchConfigFromEnv, type BenchConfig } from './config';
import { timeIncidents } from './e2e';
import { runFootprintSection, type FootprintResult } from './footprint';
import type { SectionContext } from './section';
import { startBenchStack, startBridge } from './stack';
import { ratio } from './timing';

/**
 * Worker environments by name, the first the baseline: `{"base":{},"c50":{"WORKER_MAX_CACHED_WORKFLOWS":"50"}}`;
 * null unsets a variable (`{"MALLOC_MMAP_THRESHOLD_":null}`: the worker without the runtime image's setting).
 */
const variantsSchema = z
  .record(z.string(), z.record(z.string(), z.string().nullable()))
  .refine((v) => Object.keys(v).length > 0);

type WorkerEnv = Record<string, string | null>;

/** Spawning skips undefined values, so a null here leaves the variable out of the worker's environment. */
const asProcessEnv = (env: WorkerEnv): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(env).map(([name, value]) => [name, value ?? undefined]));

interface VariantResult {
  name: string;
  workerEnv: WorkerEnv;
  footprint: FootprintResult;
  /** Incidents/s at 0 ms ServiceNow latency with this worker environment (FOOTPRINT_E2E incidents; absent if 0). */
  incidentsPerSecond?: number;
}

async function throughput(ctx: SectionContext, workerEnv: NodeJS.ProcessEnv, amount: number): Promise<number> {
  const bridge = await startBridge(ctx.stack, { name: 'footprint-e2e', workerEnv, signal: ctx.signal });
  try {
    const load = { kind: 'http' as const, url: bridge.eventsUrl, connections: ctx.config.connections, amount };
    return (await timeIncidents(ctx, load, 0)).incidentsPerSecond;
  } finally {
    await bridge.stop();
  }
}

/** One variant on a fresh dev server, so no variant's parked runs weigh on the next one's server. */
async function runVariant(
  config: BenchConfig,
  workDir: string,
  variant: { name: string; workerEnv: WorkerEnv; e2e: number },
): Promise<VariantResult> {
  const stack = await startBenchStack({ temporal: 'dev', storage: 'sqlite', workDir, logLevel: config.logLevel });
  const ctx: SectionContext = { config, stack, signal: new AbortController().signal };
  try {
    const workerEnv = asProcessEnv(variant.workerEnv);
    const incidentsPerSecond = variant.e2e > 0 ? await throughput(ctx, workerEnv, variant.e2e) : undefined;
    const footprint = await runFootprintSection(ctx, workerEnv);
    return { name: variant.name, workerEnv: variant.workerEnv, footprint, incidentsPerSecond };
  } finally {
    await stack.close();
  }
}

function render(results: VariantResult[]): string {
  const [base] = results;
  const lines = results.map(({ name, footprint, incidentsPerSecond }) => {
    const { idleMb, underLoadMb, parkedMb } = footprint.worker;
    const memory = `${idleMb} / peak ${underLoadMb} / parked ${parkedMb} MB`;
    const rate =
      incidentsPerSecond === undefined
        ? ''
        : `, e2e ${incidentsPerSecond}/s (${ratio(incidentsPerSecond, base.incidentsPerSecond ?? 0)})`;
    const parkedRatio = ratio(parkedMb ?? 0, base.footprint.worker.parkedMb ?? 0);
    return `${name}: ${footprint.parkedWorkflows} parked, worker idle ${memory} (${parkedRatio})${rate}`;
  });
  return lines.join('\n');
}

/**
 * Section 5 alone, once per worker environment (README "Performance", *Tuning*): BENCH_PARKED events parked per
 * variant, FOOTPRINT_VARIANTS the environments (JSON), FOOTPRINT_E2E incidents for a throughput run before each.
 */
async function main(): Promise<void> {
  const config = benchConfigFromEnv(process.env);
  const variants = variantsSchema.parse(JSON.parse(process.env.FOOTPRINT_VARIANTS ?? '{"defaults":{}}'));
  const e2e = Number(process.env.FOOTPRINT_E2E ?? 0);
  const workDir = mkdtempSync(path.join(tmpdir(), 'incident-bridge-footprint-'));
  const results: VariantResult[] = [];
  try {
    for (const [name, workerEnv] of Object.entries(variants)) {
      console.error(`footprint: ${name} …`);
      results.push(await runVariant(config, workDir, { name, workerEnv, e2e }));
      console.error(JSON.stringify(results.at(-1)));
    }
    rmSync(workDir, { recursive: true, force: true });
  } finally {
    killAllChildren();
  }
  console.log(render(results));
}

if (require.main === module) {
  process.on('exit', killAllChildren);
  main().then(
    () => process.exit(0),
    (error: Error) => {
      console.error(`footprint failed: ${error.stack ?? error.message}`);
      process.exit(1);
    },
  );
}
