import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Secret } from '../../src/common/secret';
import { createServiceNowTarget } from '../../src/ticketing/servicenow/client';
import { recordsByKey } from '../../src/ticketing/servicenow/lookups';
import type { PooledTarget, TicketRef } from '../../src/ticketing/ticket-target';
import {
  DEFAULT_SIMULATOR_USER,
  startServiceNowSimulator,
  type ServiceNowSimulator,
} from '../../dev/simulator/servicenow/server';

/**
 * Issue 16, review of the shared lookups (LookupBatcher): each failed before its fix. A query too long for the
 * instance's URL limit failed every key in it for good; a page without pagination headers was taken as whole.
 */
let simulator: ServiceNowSimulator;
const targets: PooledTarget[] = [];
const servers: Server[] = [];

function target(requestsPerSecond?: number, instanceUrl = simulator.url): PooledTarget {
  const { username, password } = DEFAULT_SIMULATOR_USER;
  const auth = { type: 'basic' as const, username, password: new Secret(password) };
  const created = createServiceNowTarget({ instanceUrl, auth }, { requestsPerSecond });
  targets.push(created);
  return created;
}

const settle = <T>(answer: Promise<T>) =>
  answer.then(
    (found) => found,
    (error: unknown) => error,
  );

/** One lookup in flight (alone), then `keys` asked while it is: they go together as one IN query. */
function behindOne(limited: PooledTarget, keys: string[]) {
  const first = limited.findByCorrelation('review:first');
  return { first, rest: keys.map((key) => settle(limited.findByCorrelation(key))) };
}

interface ProxyOptions {
  /** Drops X-Total-Count and Link, as some API gateways do. */
  stripPagination?: boolean;
  /** Holds each GET's answer this long after the instance read it. */
  holdGetMs?: number;
  /** Answers this status itself to the URLs it matches, as a proxy refusing a long URL does. */
  refuse?: { status: number; when: (url: string) => boolean };
}

/** A real HTTP proxy in front of the simulator. */
async function proxy(upstream: string, options: ProxyOptions): Promise<string> {
  const { stripPagination = false, holdGetMs = 0, refuse } = options;
  const target = new URL(upstream);
  const server = createServer((req, res) => {
    if (refuse?.when(req.url ?? '')) return void res.writeHead(refuse.status).end();
    const forwarded = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
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

beforeAll(async () => {
  simulator = await startServiceNowSimulator({ port: 0, seed: 17 });
});
beforeEach(() => simulator.reset());
afterAll(async () => {
  await Promise.all(targets.map((created) => created.close()));
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await simulator.close();
});

test('when 40 keys of legal length in another script wait, then the query carries what fits its URL, and each key gets its own answer', async () => {
  // Row keys carry the row's primary key: a text key in any script. 100 characters is the legal maximum.
  const keys = Array.from({ length: 40 }, (_, i) => `rows:${String(i).padStart(2, '0')}:${'東'.repeat(92)}`);
  expect(keys.every((key) => key.length <= 100)).toBe(true);
  await target().create({ correlationId: keys[7], fields: { short_description: 'held' } });
  const alone = target();
  const expected: TicketRef[][] = [];
  for (const key of keys) expected.push(await alone.findByCorrelation(key));
  expect(expected[7]).toHaveLength(1);

  const { first, rest } = behindOne(target(10), keys);
  await first;
  const answers = await Promise.all(rest);
  // Before: each got TicketValidationError "ServiceNow answered 431" (permanent: the event parked, a late-duplicate
  // check failed at once and left its duplicates open).
  expect(answers).toEqual(expected);
});

test('when an answer has no pagination headers and an ACL hid a record, then the keys are asked alone: none is told "no ticket" wrongly', async () => {
  const writer = target();
  const crowded: TicketRef[] = [];
  for (let n = 0; n < 200; n++)
    crowded.push(await writer.create({ correlationId: 'review:crowded', fields: { short_description: `c${n}` } }));
  simulator.denyRead(crowded[0].id);
  const quiet = await writer.create({ correlationId: 'review:quiet', fields: { short_description: 'quiet' } });

  const proxied = await proxy(simulator.url, { stripPagination: true });
  expect((await target(undefined, proxied).findByCorrelation('review:quiet')).map((ref) => ref.id)).toEqual([quiet.id]);

  const { first, rest } = behindOne(target(10, proxied), ['review:crowded', 'review:quiet']);
  await first;
  const [, quietAnswer] = await Promise.all(rest);
  // Before: [] — createOrReuse created a second ticket, and the late-duplicate check saw none to cancel.
  expect((quietAnswer as TicketRef[]).map((ref) => ref.id)).toEqual([quiet.id]);
});

test('when a short page has no pagination headers, then it is not taken as whole', () => {
  const record = (n: number) => ({
    sys_id: `s${n}`,
    number: `INC${n}`,
    state: '1',
    sys_created_on: '2026-12-03 10:00:00',
    correlation_id: 'k',
  });
  const records = Array.from({ length: 199 }, (_, n) => record(n)); // the limit was 200; one record hidden
  const answer = { status: 200, headers: {}, bodyText: JSON.stringify({ result: records }), now: 0 };
  expect(recordsByKey(answer, records, ['k', 'q'])).toBeUndefined();
});

test('when a lookup of a key is asked while an earlier one of it is in flight, then it sees a commit made in between', async () => {
  // The server reads at once; the proxy holds the answer 500 ms: the early lookup has read, not yet answered.
  const limited = target(50, await proxy(simulator.url, { holdGetMs: 500 }));
  const early = limited.findByCorrelation('review:late');
  await new Promise((resolve) => setTimeout(resolve, 150));
  const committed = await target().create({ correlationId: 'review:late', fields: { short_description: 'late' } });
  const check = limited.findByCorrelation('review:late'); // the late-duplicate check, asked after the commit
  await early;
  expect((await check).map((ref) => ref.id)).toEqual([committed.id]);
});

test('when the instance refuses the shared query itself (a 431), then each key is asked alone and gets its own answer', async () => {
  const held = await target().create({ correlationId: 'review:held', fields: { short_description: 'held' } });
  const refusing = await proxy(simulator.url, {
    refuse: { status: 431, when: (url) => url.includes('correlation_idIN') },
  });

  const { first, rest } = behindOne(target(10, refusing), ['review:held', 'review:none']);
  await first;

  expect(await Promise.all(rest)).toEqual([[expect.objectContaining({ id: held.id })], []]);
});

test('when the shared answer holds a record of no key asked (an IN that ignores case), then the keys are asked alone', () => {
  const records = [
    { sys_id: 's', number: 'INC1', state: '1', sys_created_on: '2026-12-03 10:00:00', correlation_id: 'K' },
  ];
  const answer = {
    status: 200,
    headers: { 'x-total-count': '1' },
    bodyText: JSON.stringify({ result: records }),
    now: 0,
  };
  expect(recordsByKey(answer, records, ['k', 'q'])).toBeUndefined();
});
