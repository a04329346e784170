import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Secret } from '../../src/common/secret';
import { createServiceNowTarget } from '../../src/ticketing/servicenow/client';
import type { PooledTarget, TicketRef } from '../../src/ticketing/ticket-target';
import {
  DEFAULT_SIMULATOR_USER,
  startServiceNowSimulator,
  type ServiceNowSimulator,
} from '../../dev/simulator/servicenow/server';

interface ProxyOptions {
  /** Drops X-Total-Count and Link, as some API gateways do. */
  stripPagination?: boolean;
  /** Holds each GET's answer this long after the instance read it. */
  holdGetMs?: number;
  /** Answers itself to the URLs it matches, as a proxy or WAF refusing a request does. */
  refuse?: { when: (url: string) => boolean; status: number; type?: string; body?: string };
}

/** An answer or the error, so that several lookups can be awaited together. */
export const settle = <T>(answer: Promise<T>): Promise<T | unknown> =>
  answer.then(
    (found) => found,
    (error: unknown) => error,
  );

/**
 * The ServiceNow simulator for the shared-lookup tests (issue 16), targets on it (rate-limited or not, directly or
 * through a real HTTP proxy), all closed after the file's tests.
 */
export function useLookupStack(seed: number) {
  let simulator!: ServiceNowSimulator;
  const targets: PooledTarget[] = [];
  const servers: Server[] = [];
  beforeAll(async () => {
    simulator = await startServiceNowSimulator({ port: 0, seed });
  });
  beforeEach(() => simulator.reset());
  afterAll(async () => {
    await Promise.all(targets.map((created) => created.close()));
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    await simulator?.close();
  });

  function target(requestsPerSecond?: number, instanceUrl = simulator.url): PooledTarget {
    const { username, password } = DEFAULT_SIMULATOR_USER;
    const auth = { type: 'basic' as const, username, password: new Secret(password) };
    const created = createServiceNowTarget({ instanceUrl, auth }, { requestsPerSecond });
    targets.push(created);
    return created;
  }

  /** One lookup in flight (it went alone), then `keys` asked while it is: they wait for it and go together. */
  function behindOne(limited: PooledTarget, keys: string[], signals: (AbortSignal | undefined)[] = []) {
    const first = limited.findByCorrelation('lookups:first');
    return { first, rest: keys.map((key, i) => settle(limited.findByCorrelation(key, { signal: signals[i] }))) };
  }

  /** A real HTTP proxy in front of the simulator. */
  async function proxy(options: ProxyOptions): Promise<string> {
    const { stripPagination = false, holdGetMs = 0, refuse } = options;
    const upstream = new URL(simulator.url);
    const server = createServer((req, res) => {
      if (refuse?.when(req.url ?? '')) {
        const headers = refuse.type ? { 'content-type': refuse.type } : {};
        return void res.writeHead(refuse.status, headers).end(refuse.body ?? '');
      }
      const forwarded = request(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          const headers = { ...answer.headers };
          if (stripPagination) delete headers['x-total-count'];
          if (stripPagination) delete headers.link;
          const pass = () => {
            res.writeHead(answer.statusCode ?? 502, headers);
            answer.pipe(res);
          };
          if (holdGetMs && req.method === 'GET') setTimeout(pass, holdGetMs);
          else pass();
        },
      );
      req.pipe(forwarded);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** What the unbatched lookup answers for each key: the reference a shared query's answers must equal. */
  async function oneByOne(keys: string[]): Promise<TicketRef[][]> {
    const alone = target();
    const answers: TicketRef[][] = [];
    for (const key of keys) answers.push(await alone.findByCorrelation(key));
    return answers;
  }

  return { simulator: () => simulator, target, behindOne, proxy, oneByOne };
}
