import type { Logger } from '../logging';
import { installRuntime } from '../temporal/runtime';
import { serveMetrics, type MetricsServer } from './exposition';
import { createWorkerMetrics, type WorkerMetrics } from './worker-metrics';

/** Read from METRICS_HOST, METRICS_PORT, WORKER_METRICS_PORT, PARKED_GAUGE_INTERVAL (src/settings). */
export interface WorkerMetricsConfig {
  host: string;
  /** The Temporal SDK's own exporter (`temporal_*`); undefined = off. */
  sdkPort?: number;
  /** Our registry (`incident_bridge_*`, process metrics); undefined = off. */
  workerPort?: number;
  parkedRefreshMs: number;
}

export interface WorkerObservability {
  metrics: WorkerMetrics;
  /** Our registry's endpoint, when WORKER_METRICS_PORT is not `off`. */
  server?: MetricsServer;
  close(): Promise<void>;
}

const bindAddress = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/**
 * Everything a worker process sets up before its first Temporal connection: the SDK Runtime (pino
 * logs, `temporal_*` metrics on METRICS_PORT) and our registry (`incident_bridge_*` on
 * WORKER_METRICS_PORT). Two ports because the SDK's exporter is a native server we cannot add to.
 */
export async function startWorkerObservability(
  config: WorkerMetricsConfig,
  context: { logger: Logger },
): Promise<WorkerObservability> {
  const sdkAddress = config.sdkPort === undefined ? undefined : bindAddress(config.host, config.sdkPort);
  installRuntime({ logger: context.logger, metricsBindAddress: sdkAddress });
  const metrics = createWorkerMetrics({ parkedRefreshMs: config.parkedRefreshMs });
  const server =
    config.workerPort === undefined
      ? undefined
      : await serveMetrics(metrics.registry, { host: config.host, port: config.workerPort });
  context.logger.info(
    { sdkMetrics: sdkAddress && `http://${sdkAddress}/metrics`, workerMetrics: server?.url },
    'metrics endpoints',
  );
  return { metrics, server, close: async () => server?.close() };
}
