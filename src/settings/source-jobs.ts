import { z } from 'zod';
import { ConfigError } from '../common/config-error';
import type { BridgeConfig } from '../config/bridge-config';
import type { LogSettings } from '../config/settings';
import { backfillTaskQueue, namedTriggers, type SourceJobsConfig } from '../config/source';
import type { TemporalConnectionConfig } from '../config/temporal';
import type { EncryptionKeyring } from '../codec/encryption-codec';
import { encryptionKeyringFromEnv } from './codec';
import { frozen } from './compose';
import { envDuration } from './duration';
import { parseEnv, setVariables, type Env } from './env';
import { loadBridgeConfig } from './file/load';
import { logSettingsFromEnv } from './logging';
import { temporalConnectionFromEnv } from './temporal';

const schema = z.object({
  CATCH_UP_INTERVAL: envDuration
    .refine((ms) => ms >= 10_000, 'at least 10s: each sweep reads the event log')
    .optional(),
  BACKFILL_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().max(10_000).default(5),
});

export const SOURCE_JOB_VARIABLES: readonly string[] = Object.keys(schema.shape);

/** The worker's catch-up Schedule and backfill lane; a ConfigError names what the Schedule lacks. */
export function sourceJobsFromEnv(env: Env, bridge: BridgeConfig, taskQueue: string): SourceJobsConfig {
  // '' is unset: compose passes `${CATCH_UP_INTERVAL:-}` through when the operator set nothing.
  const e = parseEnv(schema, setVariables(env, SOURCE_JOB_VARIABLES));
  const backfill = {
    taskQueue: backfillTaskQueue(taskQueue),
    maxActivitiesPerSecond: e.BACKFILL_RATE_LIMIT_PER_SECOND,
  };
  if (e.CATCH_UP_INTERVAL === undefined) return { backfill };
  const problems: string[] = [];
  if (!bridge.source.postgres) problems.push('CATCH_UP_INTERVAL: needs source.postgres.url in BRIDGE_CONFIG');
  const triggers = namedTriggers(bridge);
  if (triggers.length === 0) {
    problems.push('CATCH_UP_INTERVAL: BRIDGE_CONFIG names no triggers; catch-up sweeps only the triggers it names');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { backfill, catchUp: { intervalMs: e.CATCH_UP_INTERVAL, triggers } };
}

/** What `npm run catch-up` and `npm run backfill` read: the worker's variables, the same environment. */
export interface SourceToolSettings {
  readonly log: LogSettings;
  readonly temporal: TemporalConnectionConfig;
  readonly bridge: BridgeConfig;
  readonly keyring?: EncryptionKeyring;
}

export function loadSourceToolSettings(env: Env): SourceToolSettings {
  return frozen({
    log: logSettingsFromEnv(env),
    temporal: temporalConnectionFromEnv(env),
    bridge: loadBridgeConfig({ env }),
    keyring: encryptionKeyringFromEnv(env),
  });
}
