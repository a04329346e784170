import type { LogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import { makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import type { Logger } from '../logging';

const PINO_METHOD = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/**
 * The SDK's Logger on top of pino, so worker, workflow (`workflow.log`), activity (`Context.log`)
 * and forwarded Core lines share one format and one redaction list. The SDK's metadata (workflowId,
 * activityType, attempt, ...) becomes fields; its `error` key becomes pino's `err` so it serializes.
 */
export function sdkLoggerFrom(logger: Logger): SdkLogger {
  const log = (level: LogLevel, message: string, meta: LogMetadata = {}) => {
    const { error, ...fields } = meta;
    logger[PINO_METHOD[level]](error === undefined ? fields : { ...fields, err: error }, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}

export interface RuntimeSetup {
  logger: Logger;
  /** `host:port` for the SDK's Prometheus exporter (`GET /metrics`, `temporal_` names); none = no SDK metrics. */
  metricsBindAddress?: string;
}

/**
 * Must run before the process opens any NativeConnection or Worker: the first one installs a
 * default Runtime, after which `Runtime.install` throws "already instantiated".
 */
export function installRuntime(setup: RuntimeSetup): Runtime {
  const metrics = setup.metricsBindAddress
    ? { metricPrefix: 'temporal_', prometheus: { bindAddress: setup.metricsBindAddress } }
    : undefined;
  return Runtime.install({
    logger: sdkLoggerFrom(setup.logger.child({ component: 'temporal-sdk' })),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
      metrics,
    },
  });
}
