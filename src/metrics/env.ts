import { z } from 'zod';
import { envDuration } from '../config/duration';
import { envInt, parseEnv } from '../config/parse-env';

export interface WorkerMetricsConfig {
  host: string;
  /** The Temporal SDK's own exporter (`temporal_*`); undefined = off. */
  sdkPort?: number;
  /** Our registry (`incident_bridge_*`, process metrics); undefined = off. */
  workerPort?: number;
  parkedRefreshMs: number;
}

const port = (fallback: number) => z.union([z.literal('off'), envInt(1, 65535)]).default(fallback).transform((value) => (value === 'off' ? undefined : value));

const schema = z.object({
  METRICS_HOST: z.string().min(1).default('0.0.0.0'),
  METRICS_PORT: port(9464),
  WORKER_METRICS_PORT: port(9465),
  PARKED_GAUGE_INTERVAL: envDuration.default('30s'),
}).refine((env) => env.METRICS_PORT === undefined || env.METRICS_PORT !== env.WORKER_METRICS_PORT, {
  message: 'the SDK exporter and the worker registry need different ports', path: ['METRICS_PORT/WORKER_METRICS_PORT'],
});

/** Where the worker process serves metrics (README "Metrics"). */
export function workerMetricsConfigFromEnv(env: NodeJS.ProcessEnv): WorkerMetricsConfig {
  const parsed = parseEnv(schema, env);
  return { host: parsed.METRICS_HOST, sdkPort: parsed.METRICS_PORT, workerPort: parsed.WORKER_METRICS_PORT, parkedRefreshMs: parsed.PARKED_GAUGE_INTERVAL };
}
