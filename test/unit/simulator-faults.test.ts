import { startServiceNowSimulator, type ServiceNowSimulator } from '../../dev/simulator/servicenow/server';

interface CreateBody {
  result: Record<string, unknown>;
}

const BASIC = `Basic ${Buffer.from('bridge:bridge-password').toString('base64')}`;
const JSON_HEADERS = { authorization: BASIC, 'content-type': 'application/json', accept: 'application/json' };

let sim: ServiceNowSimulator;

beforeAll(async () => {
  sim = await startServiceNowSimulator({ port: 0, seed: 42 });
});
afterEach(() => sim.reset());
afterAll(() => sim.close());

function create(body: Record<string, unknown> = { short_description: 'x' }, init: RequestInit = {}, target = sim) {
  return fetch(`${target.url}/api/now/table/incident`, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify(body),
    ...init,
  });
}

function list(target = sim) {
  return fetch(`${target.url}/api/now/table/incident?sysparm_limit=1`, { headers: { authorization: BASIC } });
}

describe('latency and random errors', () => {
  test('when latency is set, then every API call takes at least that long', async () => {
    sim.setFaults({ latencyMs: 300 });
    const started = Date.now();
    expect((await list()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  test('when every call fails with 500, then the body is the quota-rule message and nothing is stored', async () => {
    sim.setFaults({ errorRate: 1, errorStatuses: [500] });
    const res = await create();
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      error: { message: 'Transaction cancelled: maximum execution time exceeded', detail: null },
      status: 'failure',
    });
    expect(sim.records()).toHaveLength(0);
  });

  test('when every call fails with 502, then the body is a generic gateway page', async () => {
    sim.setFaults({ errorRate: 1, errorStatuses: [502] });
    const res = await list();
    expect(res.status).toBe(502);
    expect(await res.text()).toContain('502 Bad Gateway');
  });

  test('when two simulators share a seed, then their random failures repeat exactly', async () => {
    const faults = { errorRate: 0.5, errorStatuses: [500, 503] };
    const twins = await Promise.all([1, 2].map(() => startServiceNowSimulator({ port: 0, seed: 99, faults })));
    try {
      const statuses = await Promise.all(
        twins.map(async (twin) => {
          const seen: number[] = [];
          for (let i = 0; i < 12; i += 1) seen.push((await list(twin)).status);
          return seen;
        }),
      );
      expect(statuses[0]).toEqual(statuses[1]);
      expect(new Set(statuses[0]).size).toBeGreaterThan(1);
    } finally {
      await Promise.all(twins.map((twin) => twin.close()));
    }
  });
});

describe('outage and hibernation', () => {
  test('when an outage runs for a while, then calls get 503 until it ends', async () => {
    sim.setFaults({ outage: { forMs: 400 } });
    expect((await list()).status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect((await list()).status).toBe(200);
  });

  test('when an outage resets connections, then the client sees a network error', async () => {
    sim.setFaults({ outage: { untilEpochMs: Date.now() + 60_000, mode: 'reset' } });
    await expect(list()).rejects.toThrow('fetch failed');
  });

  test('when the instance hibernates, then calls get the hibernation page with status 200', async () => {
    sim.setFaults({ hibernating: true });
    const res = await create();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const page = await res.text();
    expect(page).toContain('<title>Instance Hibernating page</title>');
    expect(page).toContain('<h1>Your instance is hibernating</h1>');
    expect(page).toContain('instance-hibernating-page');
    expect(sim.records()).toHaveLength(0);
  });

  test('when a hibernation status is configured, then the page comes with it', async () => {
    sim.setFaults({ hibernating: true, hibernatingStatus: 503 });
    expect((await list()).status).toBe(503);
  });
});

describe('slow then commit', () => {
  test('when a create is slow-then-commit, then the record is stored but no answer comes before the client gives up', async () => {
    sim.setFaults({ slowThenCommit: { count: 1 } });
    await expect(create({ correlation_id: 'slow:1' }, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    expect(sim.countByCorrelation('slow:1')).toBe(1);
    const next = await create({ correlation_id: 'slow:2' });
    expect(next.status).toBe(201);
    expect(sim.stats().creates).toBe(2);
  });

  test('when the simulator closes while an answer is held, then close completes and the client sees the connection drop', async () => {
    const holding = await startServiceNowSimulator({ port: 0, faults: { slowThenCommit: { count: 1 } } });
    const pending = create({ short_description: 'held' }, {}, holding);
    while (holding.records().length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await holding.close();
    await expect(pending).rejects.toThrow('fetch failed');
  });
});

describe('scope by correlation prefix', () => {
  test('when faults are scoped, then only calls about that correlation_id prefix fail', async () => {
    const calm = (await (await create({ correlation_id: 'calm:1' })).json()) as CreateBody;
    sim.setFaults({ errorRate: 1, errorStatuses: [503], scope: { correlationIdPrefix: 'chaos:' } });
    expect((await create({ correlation_id: 'chaos:1' })).status).toBe(503);
    expect((await create({ correlation_id: 'calm:2' })).status).toBe(201);
    const query = (condition: string) =>
      fetch(`${sim.url}/api/now/table/incident?sysparm_query=correlation_id${encodeURIComponent(condition)}`, {
        headers: { authorization: BASIC },
      });
    expect((await query('=chaos:1')).status).toBe(503);
    expect((await query('=calm:1')).status).toBe(200);
    // A shared lookup (LookupBatcher) is about its first key.
    expect((await query('INchaos:1,calm:1')).status).toBe(503);
    expect((await query('INcalm:1,chaos:1')).status).toBe(200);
    const patch = await fetch(`${sim.url}/api/now/table/incident/${calm.result.sys_id}`, {
      method: 'PATCH',
      headers: JSON_HEADERS,
      body: JSON.stringify({ description: 'x' }),
    });
    expect(patch.status).toBe(200);
  });

  test('when faults are scoped, then a PATCH on a record with that prefix fails even without it in the body', async () => {
    const chaos = (await (await create({ correlation_id: 'chaos:9' })).json()) as CreateBody;
    sim.setFaults({ errorRate: 1, errorStatuses: [500], scope: { correlationIdPrefix: 'chaos:' } });
    const patch = await fetch(`${sim.url}/api/now/table/incident/${chaos.result.sys_id}`, {
      method: 'PATCH',
      headers: JSON_HEADERS,
      body: JSON.stringify({ description: 'x' }),
    });
    expect(patch.status).toBe(500);
  });

  test('when slow-then-commit is scoped, then an out-of-scope create is answered and does not use up the count', async () => {
    sim.setFaults({ slowThenCommit: { count: 1 }, scope: { correlationIdPrefix: 'chaos:' } });
    expect((await create({ correlation_id: 'calm:3' })).status).toBe(201);
    await expect(create({ correlation_id: 'chaos:3' }, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    expect(sim.countByCorrelation('chaos:3')).toBe(1);
  });
});

describe('injected client errors', () => {
  test.each([
    [400, 'Exception while reading request'],
    [401, 'User Not Authenticated'],
    [403, 'Operation Failed'],
    [404, 'No Record found'],
  ])('when %d is injected, then the instance answers with its JSON error body', async (status, message) => {
    sim.setFaults({ errorRate: 1, errorStatuses: [status] });
    const response = await create();
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(await response.json()).toMatchObject({ error: { message }, status: 'failure' });
    sim.setFaults({});
  });
});
