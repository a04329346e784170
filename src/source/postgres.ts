import { Pool } from 'pg';
import { ConfigError } from '../common/config-error';
import type { SourceConfig } from '../config/source';

/** The setting every catch-up and backfill error names: the one place the operator fixes it. */
export const SOURCE_URL_KEY = 'source.postgres.url';

/** The watched database cannot be read right now; nothing was started for what was not read. */
export class SourceUnavailableError extends Error {
  override name = 'SourceUnavailableError';
}

/** A pool on `source.postgres.url`; a ConfigError naming the key when the bridge config has none. */
export function openSourcePool(source: SourceConfig, options: { max?: number } = {}): Pool {
  if (!source.postgres) {
    throw new ConfigError([`${SOURCE_URL_KEY}: not set; catch-up and backfill read the watched database through it`]);
  }
  // A short connect timeout: a database that is down is an operator's error message, not a hang.
  const pool = new Pool({ connectionString: source.postgres.url.reveal(), max: options.max ?? 2 });
  pool.options.connectionTimeoutMillis = 10_000;
  // An idle client's error (the server restarted) must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  return pool;
}

/** Connection-level failures (refused, DNS, auth, timeout) name the setting; SQL errors stay as they are. */
export function sourceFailure(error: unknown): Error {
  const err = error as Error & { code?: string };
  const sqlState = typeof err.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code);
  const connectionClass = sqlState && /^(08|28|3D|57P0)/.test(err.code!);
  if (sqlState && !connectionClass) return err;
  // The message of pg's errors never carries the URL; the password stays out of logs.
  return new SourceUnavailableError(`cannot read the source database (${SOURCE_URL_KEY}): ${err.message}`);
}
