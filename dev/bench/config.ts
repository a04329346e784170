import { z } from 'zod';
import { envInt, parseEnv } from '../../src/settings/env';

/** The dev server's two storage modes, and the PostgreSQL that BENCH_TEMPORAL=cluster runs the full server on. */
export type StorageMode = 'memory' | 'sqlite' | 'postgres';

/** Which Temporal server the sections measure: the CLI's dev server or the full server on PostgreSQL. */
export type TemporalKind = 'dev' | 'cluster';

/** Sizes and time limits of one benchmark run; BENCH_SCALE picks a preset, BENCH_* variables override single keys. */
export interface BenchConfig {
  scale: 'smoke' | 'default' | 'large';
  temporal: TemporalKind;
  /** The first mode runs every section; later ones repeat only webhook ack and end to end (memory adds ~3 min). */
  storage: StorageMode[];
  /** Concurrent HTTP connections and concurrent starts in the floor loop. */
  connections: number;
  stepSeconds: number;
  /** Offered load as fractions of the floor's closed-loop throughput. */
  loadFractions: number[];
  e2eIncidents: number;
  latenciesMs: number[];
  drainEvents: number;
  drainRatePerSecond: number;
  parkedWorkflows: number;
  /** Keep below the bridge's end-to-end capacity: above it starts queue behind execution on the shared dev server. */
  syncRatePerSecond: number;
  syncOutageEvents: number;
  /** Bridge children log at this level (info is what production runs). */
  logLevel: string;
  sectionTimeoutMs: number;
  resultsPath: string;
}

const PRESETS: Record<BenchConfig['scale'], Omit<BenchConfig, 'scale' | 'temporal' | 'logLevel' | 'resultsPath'>> = {
  smoke: {
    storage: ['memory'],
    connections: 4,
    stepSeconds: 1,
    loadFractions: [0.5],
    e2eIncidents: 10,
    latenciesMs: [0, 250],
    drainEvents: 10,
    drainRatePerSecond: 5,
    parkedWorkflows: 20,
    syncRatePerSecond: 10,
    syncOutageEvents: 5,
    sectionTimeoutMs: 60_000, // section 2 runs the overhead measurement too (open loop at half saturation)
  },
  default: {
    storage: ['sqlite'],
    connections: 32,
    stepSeconds: 4,
    loadFractions: [0.25, 0.5, 0.75, 1],
    e2eIncidents: 300,
    latenciesMs: [0, 250],
    drainEvents: 300,
    drainRatePerSecond: 25,
    parkedWorkflows: 5000,
    syncRatePerSecond: 10,
    syncOutageEvents: 100,
    sectionTimeoutMs: 180_000,
  },
  large: {
    storage: ['sqlite', 'memory'],
    connections: 64,
    stepSeconds: 10,
    loadFractions: [0.25, 0.5, 0.75, 0.9, 1, 1.25],
    e2eIncidents: 2000,
    latenciesMs: [0, 250],
    drainEvents: 1000,
    drainRatePerSecond: 50,
    parkedWorkflows: 10_000,
    syncRatePerSecond: 80,
    syncOutageEvents: 300,
    sectionTimeoutMs: 600_000,
  },
};

const storageList = z
  .string()
  .transform((value) => value.split(',').map((mode) => mode.trim()))
  .pipe(z.array(z.enum(['memory', 'sqlite'])).min(1));

const schema = z.object({
  BENCH_SCALE: z.enum(['smoke', 'default', 'large']).default('default'),
  BENCH_TEMPORAL: z.enum(['dev', 'cluster']).default('dev'),
  BENCH_STORAGE: storageList.optional(),
  BENCH_CONNECTIONS: envInt(1, 1024).optional(),
  BENCH_STEP_SECONDS: envInt(1, 600).optional(),
  BENCH_E2E_INCIDENTS: envInt(1, 100_000).optional(),
  BENCH_DRAIN_EVENTS: envInt(1, 100_000).optional(),
  BENCH_DRAIN_RATE: envInt(1, 10_000).optional(),
  BENCH_PARKED: envInt(1, 100_000).optional(),
  BENCH_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'),
  BENCH_SECTION_TIMEOUT_MS: envInt(1_000, 3_600_000).optional(),
  BENCH_RESULTS: z.string().min(1).default('dev/bench/results.json'),
});

/** The cluster has one storage; a storage list with it would be silently ignored, so it is refused. */
const settings = schema.superRefine((e, ctx) => {
  if (e.BENCH_TEMPORAL === 'cluster' && e.BENCH_STORAGE) {
    const message = "picks the dev server's storage; BENCH_TEMPORAL=cluster always stores in PostgreSQL";
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['BENCH_STORAGE'], message });
  }
});

export function benchConfigFromEnv(env: NodeJS.ProcessEnv): BenchConfig {
  const e = parseEnv(settings, env);
  const preset = PRESETS[e.BENCH_SCALE];
  const cluster = e.BENCH_TEMPORAL === 'cluster';
  return {
    ...preset,
    scale: e.BENCH_SCALE,
    temporal: e.BENCH_TEMPORAL,
    storage: cluster ? ['postgres'] : (e.BENCH_STORAGE ?? preset.storage),
    connections: e.BENCH_CONNECTIONS ?? preset.connections,
    stepSeconds: e.BENCH_STEP_SECONDS ?? preset.stepSeconds,
    e2eIncidents: e.BENCH_E2E_INCIDENTS ?? preset.e2eIncidents,
    drainEvents: e.BENCH_DRAIN_EVENTS ?? preset.drainEvents,
    drainRatePerSecond: e.BENCH_DRAIN_RATE ?? preset.drainRatePerSecond,
    parkedWorkflows: e.BENCH_PARKED ?? preset.parkedWorkflows,
    logLevel: e.BENCH_LOG_LEVEL,
    sectionTimeoutMs: e.BENCH_SECTION_TIMEOUT_MS ?? preset.sectionTimeoutMs,
    resultsPath: e.BENCH_RESULTS,
  };
}
