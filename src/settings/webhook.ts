import type { Env } from './env';
import { BRIDGE_ROUTING_VARIABLES, loadBridgeRouting } from './file/load';
import { CODEC_SERVER_VARIABLES, codecServerFromEnv, encryptionKeyringFromEnv, PAYLOAD_KEY_VARIABLES } from './codec';
import { frozen, variablesOf } from './compose';
import { webhookHttpFromEnv, WEBHOOK_HTTP_VARIABLES } from './http';
import { LOG_VARIABLES, logSettingsFromEnv } from './logging';
import { TEMPORAL_CONNECTION_VARIABLES, temporalConnectionFromEnv } from './temporal';
import { SERVICENOW_EVENTS_VARIABLES, serviceNowEventsFromEnv } from './servicenow-inbound';
import type { WebhookSettings } from '../config/settings';

/** Every variable the webhook reads (README "Configuration", column *Read by*). */
export const WEBHOOK_VARIABLES = variablesOf(
  LOG_VARIABLES,
  WEBHOOK_HTTP_VARIABLES,
  TEMPORAL_CONNECTION_VARIABLES,
  BRIDGE_ROUTING_VARIABLES,
  PAYLOAD_KEY_VARIABLES,
  CODEC_SERVER_VARIABLES,
  SERVICENOW_EVENTS_VARIABLES,
);

/**
 * The webhook's settings, read once by src/api/main.ts. The retry policy is not among them: the
 * worker, which runs the ticket calls, owns it. Throws a ConfigError naming the variable at fault.
 */
export function loadWebhookSettings(env: Env): WebhookSettings {
  const http = webhookHttpFromEnv(env);
  const keyring = encryptionKeyringFromEnv(env);
  const servicenowEvents = serviceNowEventsFromEnv(env);
  return frozen({
    // The configured secret headers are redacted from request logs like the default one.
    log: {
      ...logSettingsFromEnv(env),
      redactHeaders: [http.secretHeader, ...(servicenowEvents ? [servicenowEvents.header] : [])],
    },
    http,
    temporal: temporalConnectionFromEnv(env),
    routing: loadBridgeRouting(env),
    keyring,
    codecServer: codecServerFromEnv(env, keyring),
    servicenowEvents,
  });
}
