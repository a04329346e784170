import { z } from 'zod';
import { envInt, parseEnv } from '../../../src/settings/env';
import type { FaultKind } from '../fault-plan';
import { ciRun, chaosOptionsFromEnv } from '../options';
import type { LifecycleChaosOptions } from './run';

/**
 * Inside `npm test`: the process faults (the worker SIGKILLed 4×, the webhook restarted 2×) and the
 * ServiceNow faults that make creates retry (5xx, a 429 storm, slow and delayed commits); the outage and
 * the Temporal restarts stay in the full run, which they would make minutes longer.
 */
const CI_FAULTS: FaultKind[] = [
  'worker-sigkill',
  'webhook-restart',
  'servicenow-5xx',
  'servicenow-429-storm',
  'servicenow-slow-commit',
  'servicenow-delayed-commit',
];

export function lifecycleCiRun(rows = 12): LifecycleChaosOptions {
  return { rows, updates: 10, chaos: { ...ciRun(), eventsPerSecond: 5 }, faultKinds: CI_FAULTS };
}

const envSchema = z.object({
  CHAOS_ROWS: envInt(1, 100_000).default(300),
  CHAOS_ROW_UPDATES: envInt(1, 10_000).default(50),
});

/** `npm run chaos -- --lifecycle`: CHAOS_ROWS rows, every fault of the full run (CHAOS_* as for `npm run chaos`). */
export function lifecycleOptionsFromEnv(env: NodeJS.ProcessEnv): LifecycleChaosOptions {
  const e = parseEnv(envSchema, env);
  return { rows: e.CHAOS_ROWS, updates: e.CHAOS_ROW_UPDATES, chaos: chaosOptionsFromEnv(env) };
}
