import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { connectionOptions, type TemporalConfig } from '../config/temporal';
import { webhookConfigFromEnv } from '../config/webhook';
import type { Logger } from '../logging';
import { createApiMetrics } from '../metrics/api-metrics';
import { createApp } from './app';
import { codecRouterFromEnv, dataConverterFromEnv } from '../codec';
import { createEventStarter } from './starter';
import { createEventRouter } from './routing';
import { loadBridgeConfig } from '../config/bridge-config';

const SHUTDOWN_GRACE_MS = 10_000;

export interface RunningApi {
  url: string;
  server: Server;
  /** Stops accepting, lets in-flight requests finish, then closes the Temporal connection. */
  close(): Promise<void>;
}

export async function startApi(env: NodeJS.ProcessEnv, context: { logger: Logger; temporal: TemporalConfig }): Promise<RunningApi> {
  const webhook = webhookConfigFromEnv(env);
  // Lazy: the webhook starts (and answers 503 + Retry-After) even while Temporal is still down.
  const connection = Connection.lazy(connectionOptions(context.temporal));
  const client = new Client({ connection, namespace: context.temporal.namespace, dataConverter: dataConverterFromEnv(env) });
  // Routing needs the trigger config only when a config file exists; without one every event is single.
  const router = createEventRouter(env.BRIDGE_CONFIG ? loadBridgeConfig({ env }) : undefined);
  const starter = createEventStarter({ client, taskQueue: context.temporal.taskQueue, router });
  const app = createApp({ starter, logger: context.logger, webhook, metrics: createApiMetrics(), codecRouter: codecRouterFromEnv(env) });
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
