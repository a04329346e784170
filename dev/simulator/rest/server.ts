import express from 'express';
import { Secret } from '../../../src/common/secret';
import { JsonFaults, type JsonFaultConfig } from './fault-gate';
import { serveOnLoopback } from './http-server';
import { sendRestError, TicketStore, ticketRoutes, type SimTicket } from './tickets';

export type { SimTicket } from './tickets';

export interface RestTicketServerOptions {
  port?: number;
  host?: string;
  /** Bearer token the API accepts; default rest-token. */
  token?: string;
  faults?: JsonFaultConfig;
  seed?: number;
}

export interface RestTicketServer {
  /** Base URL; the API lives under `${url}/api`. */
  url: string;
  tickets(): SimTicket[];
  countByCorrelation(correlationId: string): number;
  setFaults(faults: JsonFaultConfig): void;
  close(): Promise<void>;
}

export const DEFAULT_REST_TOKEN = 'rest-token';

/** The generic REST target's counterpart in tests: a loopback ticket API with the simulators' fault injection. */
export async function startRestTicketServer(options: RestTicketServerOptions = {}): Promise<RestTicketServer> {
  const store = new TicketStore();
  const faults = new JsonFaults({ faults: options.faults, seed: options.seed });
  const app = express();
  app.disable('x-powered-by');
  app.use(faults.gate((res, status, message) => sendRestError(res, status, message)));
  app.use('/api', ticketRoutes({ store, token: new Secret(options.token ?? DEFAULT_REST_TOKEN) }));
  const server = await serveOnLoopback(app, options);
  return {
    url: server.url,
    tickets: () => store.tickets,
    countByCorrelation: (correlationId) =>
      store.tickets.filter((ticket) => ticket.correlation_id === correlationId).length,
    setFaults: (next) => faults.set(next),
    close: () => server.close(),
  };
}
