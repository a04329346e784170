import path from 'node:path';
import { z } from 'zod';
import { envInt, parseEnv, setVariables, type Env } from '../src/settings/env';
import { variablesOf } from '../src/settings/compose';
import { logSettingsFromEnv } from '../src/settings/logging';
import type { LogSettings } from '../src/config/settings';
import { WEBHOOK_VARIABLES } from '../src/settings/webhook';
import { WORKER_VARIABLES } from '../src/settings/worker';
import { packageRoot } from '../src/package-root';
import { SIMULATOR_VARIABLES, simulatorOptionsFromEnv } from './simulator/env';
import type { SimulatorOptions } from './simulator/servicenow/server';

const schema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  BRIDGE_DATA_DIR: z.string().min(1).optional(),
  TEMPORAL_DEV_PORT: envInt(0, 65535).default(7233),
  TEMPORAL_DEV_UI_PORT: envInt(0, 65535).default(8233),
  SERVICENOW_INSTANCE_URL: z.string().min(1).optional(),
  WEBHOOK_SECRET: z.string().optional(),
  WEBHOOK_SECRET_FILE: z.string().optional(),
});

/** `npm start` runs the webhook and the worker in one process, so it reads what both read, and its own. */
export const START_VARIABLES = variablesOf(
  WEBHOOK_VARIABLES,
  WORKER_VARIABLES,
  Object.keys(schema.shape).filter((name) => !name.endsWith('_FILE')),
  SIMULATOR_VARIABLES,
);

export interface StartSettings {
  log: LogSettings;
  /** Undefined: start a Temporal dev server, its data under `dataDir`. */
  temporalAddress?: string;
  devServer: { dataDir: string; port: number; uiPort: number };
  /** Undefined: start the embedded simulator with `simulator`'s options. */
  serviceNowUrl?: string;
  simulator?: SimulatorOptions;
  /** No WEBHOOK_SECRET(_FILE) given: the development secret documented in the README is used. */
  devWebhookSecret: boolean;
}

/** The launcher's own settings, read once by dev/start.ts; the embedded processes read theirs after. */
export function loadStartSettings(env: Env): StartSettings {
  const parsed = parseEnv(schema, setVariables(env, Object.keys(schema.shape)));
  return {
    log: logSettingsFromEnv(env),
    temporalAddress: parsed.TEMPORAL_ADDRESS,
    devServer: {
      dataDir: parsed.BRIDGE_DATA_DIR ?? path.join(packageRoot(), '.data'),
      port: parsed.TEMPORAL_DEV_PORT,
      uiPort: parsed.TEMPORAL_DEV_UI_PORT,
    },
    serviceNowUrl: parsed.SERVICENOW_INSTANCE_URL,
    simulator: parsed.SERVICENOW_INSTANCE_URL ? undefined : simulatorOptionsFromEnv(env),
    devWebhookSecret: !parsed.WEBHOOK_SECRET && !parsed.WEBHOOK_SECRET_FILE,
  };
}
