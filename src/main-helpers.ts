import { ConfigError } from './config/parse-env';
import { createLogger, type Logger } from './logging';

/**
 * Shared shape of every entry point: a logger from LOG_LEVEL / LOG_FORMAT, config errors printed
 * as one clear message with exit code 2, anything else logged with exit code 1.
 */
export function runMain(name: string, body: (context: { logger: Logger }) => Promise<void>): void {
  const format = process.env.LOG_FORMAT === 'json' || (process.env.NODE_ENV === 'production' && process.env.LOG_FORMAT !== 'pretty') ? 'json' : 'pretty';
  const logger = createLogger({ name, level: process.env.LOG_LEVEL ?? 'info', format, redactHeaders: [process.env.WEBHOOK_SECRET_HEADER ?? 'x-webhook-secret'] });
  body({ logger }).catch((error) => {
    if (error instanceof ConfigError) {
      console.error(`${name}: ${error.message}`);
      process.exit(2);
    }
    logger.fatal({ err: error }, `${name} failed`);
    process.exit(1);
  });
}

/** Runs `stop` once on the first SIGINT/SIGTERM; a second signal exits at once. */
export function onShutdownSignal(stop: (signal: NodeJS.Signals) => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    stop(signal).then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
