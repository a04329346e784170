import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A scripted stand-in for a ServiceNow instance on 127.0.0.1, recording every request it gets. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status: number;
  /** An object is sent as JSON; a string is sent as is. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** 'hang' never answers: for timeout and abort tests (close() drops the socket). */
export type Handler = (request: RecordedRequest) => Reply | 'hang' | Promise<Reply | 'hang'>;

export interface Loopback {
  url: string;
  requests: RecordedRequest[];
  handle(handler: Handler): void;
  /** Resolves once the next request has arrived. */
  nextRequest(): Promise<RecordedRequest>;
  close(): Promise<void>;
}

export async function startLoopback(): Promise<Loopback> {
  const requests: RecordedRequest[] = [];
  const waiters: ((request: RecordedRequest) => void)[] = [];
  let handler: Handler = () => ({ status: 500, body: 'no handler' });

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const request = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      waiters.splice(0).forEach((notify) => notify(request));
      const reply = await handler(request);
      if (reply === 'hang') return;
      const isText = typeof reply.body === 'string';
      const contentType = isText ? 'text/plain' : 'application/json;charset=UTF-8';
      res.writeHead(reply.status, { 'content-type': contentType, ...reply.headers });
      res.end(reply.body === undefined ? '' : isText ? (reply.body as string) : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle: (next) => {
      handler = next;
    },
    nextRequest: () => new Promise((resolve) => waiters.push(resolve)),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** A Table API record as the client asks for it (sysparm_fields=sys_id,number,state,sys_created_on). */
export function record(sysId: string, number: string, state = '1', createdOn = '2025-01-01 12:00:00'): object {
  return { sys_id: sysId, number, state, sys_created_on: createdOn };
}
