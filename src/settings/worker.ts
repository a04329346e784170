import type { Env } from './env';
import { BRIDGE_CONFIG_VARIABLES, loadBridgeConfig } from './file/load';
import { encryptionKeyringFromEnv, PAYLOAD_KEY_VARIABLES } from './codec';
import { frozen, variablesOf } from './compose';
import { LOG_VARIABLES, logSettingsFromEnv } from './logging';
import { METRICS_VARIABLES, workerMetricsConfigFromEnv } from './metrics';
import { NOTIFY_VARIABLES, notifyConfigFromEnv } from './notify';
import { eventPolicyFromEnv, POLICY_VARIABLES } from './policy';
import { TEMPORAL_VARIABLES, temporalConfigFromEnv } from './temporal';
import { SOURCE_JOB_VARIABLES, sourceJobsFromEnv } from './source-jobs';
import { TUNING_VARIABLES, workerTuningFromEnv } from './tuning';
import { SERVICENOW_RECONCILE_VARIABLES, serviceNowReconcileFromEnv } from './servicenow-inbound';
import type { WorkerSettings } from '../config/settings';

/** Every variable the worker reads (README "Configuration", column *Read by*). */
export const WORKER_VARIABLES = variablesOf(
  LOG_VARIABLES,
  TEMPORAL_VARIABLES,
  BRIDGE_CONFIG_VARIABLES,
  POLICY_VARIABLES,
  TUNING_VARIABLES,
  NOTIFY_VARIABLES,
  METRICS_VARIABLES,
  PAYLOAD_KEY_VARIABLES,
  SERVICENOW_RECONCILE_VARIABLES,
  SOURCE_JOB_VARIABLES,
);

/**
 * The worker's settings, read once by src/worker/main.ts: besides targets and notifications, the retry
 * policy and park time, which reach the workflows through the activities. Throws a ConfigError naming
 * the variable at fault; the config file's `{ env: NAME }` secrets are read here too.
 */
export function loadWorkerSettings(env: Env): WorkerSettings {
  const policy = eventPolicyFromEnv(env);
  const temporal = temporalConfigFromEnv(env);
  const bridge = loadBridgeConfig({ env });
  return frozen({
    log: logSettingsFromEnv(env),
    temporal,
    bridge,
    policy,
    ...workerTuningFromEnv(env, { ticketTaskQueue: policy.ticketTaskQueue, createQueue: temporal.createQueue }),
    notify: notifyConfigFromEnv(env),
    metrics: workerMetricsConfigFromEnv(env),
    keyring: encryptionKeyringFromEnv(env),
    servicenowReconcile: serviceNowReconcileFromEnv(env),
    sourceJobs: sourceJobsFromEnv(env, bridge, temporal.taskQueue),
  });
}
