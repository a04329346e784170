import { parseArgs, type ParseArgsConfig } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { dataConverterFor } from '../codec';
import { ConfigError } from '../common/config-error';
import { connectionOptions } from '../config/temporal';
import { SourceUnavailableError } from '../source/postgres';
import type { SourceToolSettings } from '../settings/source-jobs';
import { createEventRouter } from '../starting/event-routing';
import { createEventStarter, type EventStarter, type StarterOptions } from '../starting/event-starter';
import { TemporalUnavailableError } from '../starting/temporal-refusals';

/*
 * What `npm run catch-up` and `npm run backfill` share: flags, the starter (the webhook's, over the
 * worker's environment) and exit codes: 0 done, 2 bad flags or config, 3 the source database or
 * Temporal cannot be reached (nothing lost: run it again), 1 anything else.
 */

export const EXIT_UNAVAILABLE = 3;

/** Strict flags: an unknown or malformed one is a ConfigError naming it, with the usage line. */
export function parseFlags<T extends ParseArgsConfig['options']>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new ConfigError([(error as Error).message, usage]);
  }
}

/** A positive whole number flag, or undefined when absent. */
export function positiveFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0)
    throw new ConfigError([`--${name}: expected a positive number, got ${value}`]);
  return number;
}

export interface ToolStarter {
  starter: EventStarter;
  close(): Promise<void>;
}

/** The webhook's starter on `taskQueue`; a live run counts as already started. Lazy: a dry run never connects. */
export function toolStarter(
  settings: SourceToolSettings,
  queues: Pick<StarterOptions, 'taskQueue' | 'createQueue'>,
): ToolStarter {
  const connection = Connection.lazy(connectionOptions(settings.temporal));
  const client = new Client({
    connection,
    namespace: settings.temporal.namespace,
    dataConverter: dataConverterFor(settings.keyring),
  });
  const router = createEventRouter(settings.bridge);
  const starter = createEventStarter({ client, ...queues, router, runningIsDuplicate: true, startTimeoutMs: 15_000 });
  return { starter, close: () => connection.close() };
}

/** Runs a tool's body and turns its failure into one line on stderr and the exit code above. */
export function runTool(name: string, body: () => Promise<void>): void {
  body().then(
    () => process.exit(0),
    (error: Error) => {
      const unavailable = error instanceof SourceUnavailableError || error instanceof TemporalUnavailableError;
      console.error(`${name}: ${error.message}`);
      process.exit(error instanceof ConfigError ? 2 : unavailable ? EXIT_UNAVAILABLE : 1);
    },
  );
}
