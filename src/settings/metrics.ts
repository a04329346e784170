import { z } from 'zod';
import type { WorkerMetricsConfig } from '../metrics/worker-observability';
import { envDuration } from './duration';
import { envInt, parseEnv, type Env } from './env';

const port = (fallback: number) =>
  z
    .union([z.literal('off'), envInt(1, 65535)])
    .default(fallback)
    .transform((value) => (value === 'off' ? undefined : value));

const schema = z
  .object({
    METRICS_HOST: z.string().min(1).default('0.0.0.0'),
    METRICS_PORT: port(9464),
    WORKER_METRICS_PORT: port(9465),
    PARKED_GAUGE_INTERVAL: envDuration.default('30s'),
  })
  .refine((env) => env.METRICS_PORT === undefined || env.METRICS_PORT !== env.WORKER_METRICS_PORT, {
    message: 'the SDK exporter and the worker registry need different ports',
    path: ['METRICS_PORT/WORKER_METRICS_PORT'],
  });

export const METRICS_VARIABLES: readonly string[] = Object.keys(schema.innerType().shape);

/** Where the worker process serves metrics (README "Metrics"). */
export function workerMetricsConfigFromEnv(env: Env): WorkerMetricsConfig {
  const parsed = parseEnv(schema, env);
  return {
    host: parsed.METRICS_HOST,
    sdkPort: parsed.METRICS_PORT,
    workerPort: parsed.WORKER_METRICS_PORT,
    parkedRefreshMs: parsed.PARKED_GAUGE_INTERVAL,
  };
}
