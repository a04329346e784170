import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestHandler } from 'express';
import type { Registry } from 'prom-client';

/** `GET /metrics` for an Express app (the webhook serves it on its own port). */
export function metricsRoute(registry: Registry): RequestHandler {
  return async (_req, res) => {
    try {
      const body = await registry.metrics();
      // end(), not send(): send() rewrites the Content-Type parameters.
      res.setHeader('Content-Type', registry.contentType);
      res.end(body);
    } catch (error) {
      res
        .status(500)
        .type('text/plain')
        .send(`metrics collection failed: ${(error as Error).message}`);
    }
  };
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** A bare HTTP server for processes without Express (the worker): `/metrics` and nothing else. */
export async function serveMetrics(
  registry: Registry,
  options: { host: string; port: number },
): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found; try GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(body),
      (error: Error) =>
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`metrics collection failed: ${error.message}\n`),
    );
  });
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/metrics`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
