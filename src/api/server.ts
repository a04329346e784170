import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import type { WebhookSettings } from '../config/settings';
import { connectionOptions } from '../config/temporal';
import type { Logger } from '../logging';
import { createApiMetrics } from './metrics';
import { createApp } from './app';
import { codecRouterFor, dataConverterFor } from '../codec';
import { createEventStarter } from '../starting/event-starter';
import { createEventRouter } from '../starting/event-routing';
import { createServiceNowChangeStarter } from '../starting/servicenow-change-starter';

const SHUTDOWN_GRACE_MS = 10_000;

export interface RunningApi {
  url: string;
  server: Server;
  /** Stops accepting, lets in-flight requests finish, then closes the Temporal connection. */
  close(): Promise<void>;
}

export async function startApi(settings: WebhookSettings, context: { logger: Logger }): Promise<RunningApi> {
  const { http: webhook, temporal } = settings;
  const { taskQueue, createQueue } = temporal;
  // Lazy: the webhook starts (and answers 503 + Retry-After) even while Temporal is still down.
  const connection = Connection.lazy(connectionOptions(temporal));
  const dataConverter = dataConverterFor(settings.keyring);
  const client = new Client({ connection, namespace: temporal.namespace, dataConverter });
  // Without a config file every event is a ticket of its own. The retry policy is the worker's.
  const router = createEventRouter(settings.routing);
  const starter = createEventStarter({ client, taskQueue, createQueue, router });
  const codecRouter = codecRouterFor(settings.codecServer);
  const servicenowEvents = settings.servicenowEvents && {
    config: settings.servicenowEvents,
    starter: createServiceNowChangeStarter({ client, taskQueue }),
  };
  const metrics = createApiMetrics();
  const app = createApp({ starter, logger: context.logger, webhook, metrics, codecRouter, servicenowEvents });
  const server = app.listen(webhook.port, webhook.host);
  await once(server, 'listening');
  // server.close() only refuses new connections; Hasura's keep-alive connections would keep
  // bringing requests. While closing, every answer tells the client to hang up.
  let closing = false;
  server.on('request', (_req, res) => closing && res.setHeader('Connection', 'close'));
  const { port } = server.address() as AddressInfo;
  const host = webhook.host.includes(':') ? `[${webhook.host}]` : webhook.host;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  context.logger.info({ url: `${url}/hasura/events` }, 'webhook listening');
  return {
    url,
    server,
    async close() {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // In-flight requests get a grace period; a client that never lets go does not hold the exit.
      const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
      await closed;
      clearTimeout(force);
      await connection.close();
    },
  };
}
