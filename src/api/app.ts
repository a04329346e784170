import express, { type ErrorRequestHandler } from 'express';
import type { Logger } from '../logging';
import { requireSharedSecret } from './auth';
import { hasuraEventsHandler } from './events-route';
import { exactJsonBody, requireJson } from './json-body';
import { serviceNowEventsRoute } from './servicenow-events-route';
import type { ServiceNowChangeStarter } from '../starting/servicenow-change-starter';
import type { EventStarter } from '../starting/event-starter';
import type { ServiceNowEventsConfig, WebhookHttpConfig } from '../config/settings';
import type { ApiMetrics } from './metrics';

export interface AppDeps {
  starter: EventStarter;
  logger: Logger;
  webhook: Pick<WebhookHttpConfig, 'secrets' | 'secretHeader' | 'bodyLimit' | 'retryAfterSeconds'>;
  /** GET /metrics and the webhook's counters; absent = no metrics. */
  metrics?: ApiMetrics;
  /** The Web UI's codec server endpoints, when payload encryption is on. */
  codecRouter?: express.Router;
  /** POST /servicenow/events, when SERVICENOW_EVENTS_SECRET is set. */
  servicenowEvents?: { config: ServiceNowEventsConfig; starter: ServiceNowChangeStarter };
}

/** Body-parser and other edge errors become JSON 4xx answers, never HTML stack traces. */
const jsonErrors: ErrorRequestHandler = (error, _req, res, _next) => {
  const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
  const messages: Record<string, string> = {
    'entity.too.large': 'body exceeds the configured limit',
    'charset.unsupported': 'expected Content-Type: application/json with a UTF-8 charset',
    'encoding.unsupported': 'unsupported Content-Encoding',
  };
  const codes: Record<number, string> = { 413: 'payload_too_large', 415: 'unsupported_media_type' };
  const code =
    error?.type === 'entity.parse.failed'
      ? 'invalid_json'
      : (codes[status] ?? (status < 500 ? 'bad_request' : 'internal_error'));
  res
    .status(status)
    .json({ error: code, message: messages[error?.type] ?? (status < 500 ? String(error.message) : 'internal error') });
};

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  deps.metrics?.mount(app);
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', async (_req, res) => {
    try {
      await deps.starter.ping();
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'unavailable', message: 'Temporal is not reachable' });
    }
  });
  app.post(
    '/hasura/events',
    requireSharedSecret({ header: deps.webhook.secretHeader, secrets: deps.webhook.secrets }),
    requireJson,
    ...exactJsonBody(deps.webhook.bodyLimit),
    hasuraEventsHandler({
      starter: deps.metrics?.instrumentStarter(deps.starter) ?? deps.starter,
      logger: deps.logger,
      retryAfterSeconds: deps.webhook.retryAfterSeconds,
    }),
  );
  if (deps.servicenowEvents) {
    const { config, starter } = deps.servicenowEvents;
    const { retryAfterSeconds, bodyLimit } = deps.webhook;
    app.post(
      '/servicenow/events',
      ...serviceNowEventsRoute(config, { starter, logger: deps.logger, retryAfterSeconds, bodyLimit }),
    );
  }
  if (deps.codecRouter) app.use(deps.codecRouter);
  app.use((_req, res) => void res.status(404).json({ error: 'not_found', message: 'no such route' }));
  app.use(jsonErrors);
  return app;
}
