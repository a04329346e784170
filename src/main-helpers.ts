import { ConfigError } from './common/config-error';
import type { LogSettings } from './config/settings';
import { createLogger, type Logger } from './logging';

/**
 * Shared shape of every entry point: `load` reads the process's settings (the one place it sees
 * process.env), the logger follows their LOG_LEVEL / LOG_FORMAT, config errors are printed as one
 * clear message with exit code 2, anything else is logged with exit code 1.
 */
export function runMain<S extends { log: LogSettings }>(
  name: string,
  load: () => S,
  body: (context: { logger: Logger; settings: S }) => Promise<void>,
): void {
  let logger: Logger | undefined;
  const run = async () => {
    const settings = load();
    logger = createLogger({ name, ...settings.log });
    await body({ logger, settings });
  };
  run().catch((error) => {
    if (error instanceof ConfigError) {
      console.error(`${name}: ${error.message}`);
      process.exit(2);
    }
    (logger ?? createLogger({ name })).fatal({ err: error }, `${name} failed`);
    process.exit(1);
  });
}

/** Runs `stop` once on the first SIGINT/SIGTERM; a second signal exits at once. */
export function onShutdownSignal(stop: (signal: NodeJS.Signals) => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    stop(signal).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
