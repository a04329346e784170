import { startServiceNowSimulator, type ServiceNowSimulator } from '../../dev/simulator/servicenow/server';

const BASIC = `Basic ${Buffer.from('bridge:bridge-password').toString('base64')}`;
const JSON_HEADERS = { authorization: BASIC, 'content-type': 'application/json', accept: 'application/json' };

let sim: ServiceNowSimulator;

beforeAll(async () => {
  sim = await startServiceNowSimulator({ port: 0, seed: 7 });
});
afterEach(() => sim.reset());
afterAll(() => sim.close());

const create = (correlationId: string, init: RequestInit = {}) =>
  fetch(`${sim.url}/api/now/table/incident`, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify({ short_description: 'x', correlation_id: correlationId }),
    ...init,
  });

/** What the bridge's lookup sees: the Table API query by correlation_id. */
async function lookup(correlationId: string): Promise<number> {
  const query = encodeURIComponent(`correlation_id=${correlationId}`);
  const res = await fetch(`${sim.url}/api/now/table/incident?sysparm_query=${query}`, {
    headers: { authorization: BASIC },
  });
  return ((await res.json()) as { result: unknown[] }).result.length;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls a condition instead of guessing how long a loaded machine takes; bounded so a regression fails. */
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

test('when a create commits late, then every read misses it until the commit, and a client that gave up does not stop it', async () => {
  sim.setFaults({ delayedCommit: { count: 1, commitAfterMs: 1500, answer: 'never' } });
  // The client gives up once the instance has accepted the insert, however slowly the request got there.
  const giveUp = new AbortController();
  const sent = create('late:1', { signal: giveUp.signal });
  await until(() => sim.pendingCommits() === 1);
  giveUp.abort();
  await expect(sent).rejects.toThrow();
  expect(await lookup('late:1')).toBe(0);
  expect(sim.countByCorrelation('late:1')).toBe(0);
  await until(() => sim.pendingCommits() === 0);
  expect(await lookup('late:1')).toBe(1);
  expect(sim.stats().creates).toBe(1);
});

test('when the answer comes after the commit, then the client gets 201 only once the record is visible', async () => {
  sim.setFaults({ delayedCommit: { count: 1, commitAfterMs: 300, answer: 'after-commit' } });
  const started = Date.now();
  const res = await create('late:2');
  expect(res.status).toBe(201);
  expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  expect(await lookup('late:2')).toBe(1);
});

test('when the answer comes late, then the record is visible before the client hears of it', async () => {
  sim.setFaults({ delayedCommit: { count: 1, commitAfterMs: 100, answer: 'late', lateByMs: 400 } });
  const answer = create('late:3');
  await sleep(250);
  expect(await lookup('late:3')).toBe(1);
  expect((await answer).status).toBe(201);
});

test('when the count is used up, then the next create commits and answers at once', async () => {
  sim.setFaults({ delayedCommit: { count: 1, commitAfterMs: 5_000 } });
  void create('late:4', { signal: AbortSignal.timeout(50) }).catch(() => undefined);
  await sleep(100);
  expect((await create('late:5')).status).toBe(201);
  expect(await lookup('late:5')).toBe(1);
  expect(await lookup('late:4')).toBe(0);
});

test('when the simulator resets, then a commit still pending never happens', async () => {
  sim.setFaults({ delayedCommit: { count: 1, commitAfterMs: 200 } });
  void create('late:6', { signal: AbortSignal.timeout(50) }).catch(() => undefined);
  await sleep(80);
  sim.reset();
  await sleep(250);
  expect(sim.countByCorrelation('late:6')).toBe(0);
});
