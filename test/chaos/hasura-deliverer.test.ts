import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deliverLikeHasura, hasuraEventBody, HttpPool } from '../../dev/chaos/hasura-deliverer';
import { freePort } from '../../dev/temporal/dev-server';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler = (_req, res) => void res.end();
let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => handler(req, res)).listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hasura/events`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Answers each request with the next status in the list (the last one repeats). */
function answerInTurn(...answers: { status: number; retryAfter?: string }[]): void {
  let calls = 0;
  handler = (req, res) => {
    req.resume();
    const { status, retryAfter } = answers[Math.min(calls++, answers.length - 1)];
    if (retryAfter) res.setHeader('Retry-After', retryAfter);
    res.writeHead(status, { 'Content-Type': 'application/json' }).end('{}');
  };
}

test('when retries are exhausted but the answer carries Retry-After, then Hasura tries once more', async () => {
  answerInTurn({ status: 503, retryAfter: '1' }, { status: 200 });
  const result = await deliverLikeHasura(hasuraEventBody(), { url, numRetries: 0, timeScale: 0.01 });
  expect(result).toMatchObject({ delivered: true, attempts: [{ status: 503, retryAfter: 1 }, { status: 200 }] });
});

test('when retries are exhausted without Retry-After, then the delivery gives up after num_retries + 1 tries', async () => {
  answerInTurn({ status: 500, retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT' });
  const result = await deliverLikeHasura(hasuraEventBody(), { url, numRetries: 2, intervalSec: 1, timeScale: 0.01 });
  expect(result.delivered).toBe(false);
  expect(result.attempts.map((a) => a.status)).toEqual([500, 500, 500]);
});

test('when the connection is refused, then it is retried at interval_sec like any failure', async () => {
  const closedPort = await freePort();
  const result = await deliverLikeHasura(hasuraEventBody(), {
    url: `http://127.0.0.1:${closedPort}/`,
    numRetries: 2,
    intervalSec: 1,
    timeScale: 0.01,
  });
  expect(result).toEqual({
    delivered: false,
    attempts: [{ status: 'error' }, { status: 'error' }, { status: 'error' }],
  });
});

test('when the caller aborts, then no further retry is made', async () => {
  answerInTurn({ status: 503, retryAfter: '60' });
  const abort = new AbortController();
  const pending = deliverLikeHasura(hasuraEventBody(), { url, numRetries: 10, signal: abort.signal });
  setTimeout(() => abort.abort(), 100);
  expect((await pending).attempts).toHaveLength(1);
});

test('when many deliveries share one HTTP pool, then no more requests than its size are in flight', async () => {
  let inFlight = 0;
  let peak = 0;
  handler = (req, res) => {
    req.resume();
    peak = Math.max(peak, ++inFlight);
    setTimeout(() => {
      inFlight -= 1;
      res.writeHead(200).end();
    }, 30);
  };
  const pool = new HttpPool(3);
  const results = await Promise.all(
    Array.from({ length: 12 }, () => deliverLikeHasura(hasuraEventBody(), { url, pool })),
  );
  expect(results.every((r) => r.delivered)).toBe(true);
  expect(peak).toBe(3);
});
