import type { Secret } from '../common/secret';

/**
 * The database Hasura's triggers watch, and the Hasura in front of it: where write-back writes,
 * catch-up reads `hdb_catalog.event_log` and backfill reads existing rows.
 */
export interface SourceConfig {
  /** A PostgreSQL connection URL (it carries a password, so it is a secret). */
  postgres?: { url: Secret };
  hasura?: SourceHasuraConfig;
}

export interface SourceHasuraConfig {
  /** The engine's root URL; GraphQL is `<url>/v1/graphql`, metadata `<url>/v1/metadata`. */
  url: string;
  adminSecret: Secret;
  /** The backend-only role the bridge writes as; events whose session variables carry it are the bridge's own. */
  role: string;
}

/** The worker's sweeps and backfill lane (CATCH_UP_INTERVAL, BACKFILL_RATE_LIMIT_PER_SECOND). */
export interface SourceJobsConfig {
  /** Absent: no catch-up Schedule (the default). */
  catchUp?: { intervalMs: number; triggers: string[] };
  backfill: { taskQueue: string; maxActivitiesPerSecond: number };
}

/** Backfill events run on their own queue, so a long backfill never delays live events. */
export const backfillTaskQueue = (taskQueue: string) => `${taskQueue}-backfill`;

/** The triggers catch-up sweeps by default: those the config file names (others may be another webhook's). */
export const namedTriggers = (config: { triggers: Record<string, unknown> }) => Object.keys(config.triggers);
