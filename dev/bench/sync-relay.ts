import express from 'express';
import { toWorkflowEvent } from '../../src/starting/event-starter';
import { requireSharedSecret } from '../../src/api/auth';
import { correlationIdFor } from '../../src/contract';
import { serviceNowOptionsFromEnv } from '../../src/settings/file/from-env';
import type { Env } from '../../src/settings/env';
import { webhookHttpFromEnv } from '../../src/settings/http';
import { logSettingsFromEnv } from '../../src/settings/logging';
import { hasuraEventSchema } from '../../src/hasura/event-schema';
import { runMain } from '../../src/main-helpers';
import { createEventMapper, DEFAULT_MAPPING } from '../../src/mapping/mapper';
import { createServiceNowTarget } from '../../src/ticketing/servicenow';

function loadRelaySettings(env: Env) {
  const webhook = webhookHttpFromEnv(env);
  const serviceNow = serviceNowOptionsFromEnv(env);
  if (!serviceNow) throw new Error('SERVICENOW_INSTANCE_URL is required');
  return { log: { ...logSettingsFromEnv(env), redactHeaders: [webhook.secretHeader] }, webhook, serviceNow };
}

/**
 * `node dist/dev/bench/sync-relay.js`: the naive design the bridge replaces, for section 6 only. It
 * calls ServiceNow inline and answers Hasura after it, so every ServiceNow hiccup becomes a failed
 * delivery. Same validation, mapping and ServiceNow client as the bridge; no Temporal.
 */
runMain(
  'bench-sync-relay',
  () => loadRelaySettings(process.env),
  async ({ logger, settings }) => {
    const { webhook, serviceNow } = settings;
    const target = createServiceNowTarget(serviceNow);
    const mapper = createEventMapper(DEFAULT_MAPPING);
    const app = express();
    app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
    app.post(
      '/hasura/events',
      requireSharedSecret({ header: webhook.secretHeader, secrets: webhook.secrets }),
      express.json({ limit: webhook.bodyLimit }),
      async (req, res) => {
        const parsed = hasuraEventSchema.safeParse(req.body);
        if (!parsed.success) return void res.status(400).json({ error: 'invalid_event' });
        const event = toWorkflowEvent(parsed.data);
        try {
          const { fields } = await mapper.map(event);
          const ticket = await target.create({ correlationId: correlationIdFor(event.trigger, event.eventId), fields });
          logger.info({ eventId: event.eventId, ticket: ticket.number }, 'ticket created inline');
          res.json({ ticket: ticket.number });
        } catch (error) {
          logger.warn(
            { eventId: event.eventId, err: (error as Error).message },
            'ServiceNow call failed; answering 502',
          );
          res.status(502).json({ error: 'servicenow_failed' });
        }
      },
    );
    app.listen(webhook.port, webhook.host, () => logger.info({ port: webhook.port }, 'sync relay listening'));
  },
);
