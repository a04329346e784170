import { startServiceNowSimulator, type ServiceNowSimulator } from '../../dev/simulator/servicenow/server';

/** The admin and token bodies these tests read. */
interface AdminBody {
  result: unknown;
  issues: unknown[];
  access_token: string;
}

const BASIC = `Basic ${Buffer.from('bridge:bridge-password').toString('base64')}`;
const JSON_HEADERS = { authorization: BASIC, 'content-type': 'application/json', accept: 'application/json' };

let sim: ServiceNowSimulator;

beforeAll(async () => {
  sim = await startServiceNowSimulator({ port: 0 });
});
afterEach(() => sim.reset());
afterAll(() => sim.close());

function admin(method: string, path: string, body?: unknown) {
  return fetch(`${sim.url}/_sim${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function createIncident(body: Record<string, unknown>) {
  const res = await fetch(`${sim.url}/api/now/table/incident`, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify(body),
  });
  return ((await res.json()) as { result: { sys_id: string } }).result;
}

describe('admin API', () => {
  test('when health is asked, then it answers ok without authentication', async () => {
    const res = await admin('GET', '/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  test('when calls are made, then stats count them by method, route, status and correlation_id', async () => {
    await createIncident({ correlation_id: 'stats:1' });
    await fetch(`${sim.url}/api/now/table/incident?sysparm_query=correlation_id%3Dstats%3A1`, {
      headers: { authorization: BASIC },
    });
    await fetch(`${sim.url}/api/now/table/incident`);
    const stats = (await (await admin('GET', '/stats')).json()) as AdminBody;
    expect(stats).toEqual({
      total: 3,
      byMethod: { POST: 1, GET: 2 },
      byRoute: { 'POST /api/now/table/incident': 1, 'GET /api/now/table/incident': 2 },
      byStatus: { '201': 1, '200': 1, '401': 1 },
      creates: 1,
      byCorrelation: { 'stats:1': 2 },
      peakWindowCalls: 0,
      createdAtMs: { 'stats:1': expect.any(Number) },
    });
    expect(sim.stats()).toEqual(stats);
  });

  test('when faults are put, patched and deleted, then the API applies each and echoes the result', async () => {
    const put = await admin('PUT', '/faults', { hibernating: true, latencyMs: 5 });
    expect(await put.json()).toEqual({ faults: { hibernating: true, latencyMs: 5 } });
    const patched = (await (await admin('PATCH', '/faults', { hibernating: false })).json()) as AdminBody;
    expect(patched).toEqual({ faults: { hibernating: false, latencyMs: 5 } });
    sim.patchFaults({ errorRate: 1, errorStatuses: [503] });
    expect((await fetch(`${sim.url}/api/now/table/incident`, { headers: { authorization: BASIC } })).status).toBe(503);
    expect(await (await admin('DELETE', '/faults')).json()).toEqual({ faults: {} });
    expect((await fetch(`${sim.url}/api/now/table/incident`, { headers: { authorization: BASIC } })).status).toBe(200);
  });

  test.each([
    ['an unknown key', { latencyMS: 5 }],
    ['an error rate above 1', { errorRate: 2 }],
    ['an outage with both ends', { outage: { forMs: 5, untilEpochMs: 5 } }],
    ['a storm without a count or end', { storm429: { retryAfterSec: 1 } }],
  ])(
    'when the fault config has %s, then it is refused with 400 and the faults stay as they were',
    async (_label, faults) => {
      sim.setFaults({ latencyMs: 1 });
      const res = await admin('PUT', '/faults', faults);
      expect(res.status).toBe(400);
      expect(((await res.json()) as AdminBody).issues.length).toBeGreaterThan(0);
      expect(await (await admin('GET', '/faults')).json()).toEqual({ faults: { latencyMs: 1 } });
    },
  );

  test('when setFaults gets an invalid config, then it throws', () => {
    expect(() => sim.setFaults({ errorRate: -1 })).toThrow();
  });

  test('when records are asked by correlation_id, then the raw records come with their journals', async () => {
    const target = await createIncident({ correlation_id: 'raw:1', work_notes: 'note one' });
    await createIncident({ correlation_id: 'raw:2' });
    const { result } = (await (await admin('GET', '/records/incident?correlation_id=raw:1')).json()) as AdminBody;
    expect(result).toEqual([
      {
        record: expect.objectContaining({
          sys_id: target.sys_id,
          opened_by: expect.stringMatching(/^[0-9a-f]{32}$/),
          work_notes: '',
        }),
        journal: [expect.objectContaining({ element: 'work_notes', value: 'note one' })],
      },
    ]);
    expect((await admin('GET', '/records/nope')).status).toBe(404);
  });

  test('when reset is posted, then records, stats, faults and numbering start over', async () => {
    await createIncident({ correlation_id: 'reset:1' });
    sim.setFaults({ latencyMs: 1 });
    expect((await admin('POST', '/reset')).status).toBe(204);
    expect(sim.records()).toEqual([]);
    expect(sim.stats().total).toBe(0);
    expect(await (await admin('GET', '/faults')).json()).toEqual({ faults: {} });
    expect((await createIncident({})) as unknown).toMatchObject({ number: 'INC0010001' });
    expect(sim.records('sys_user_group').length).toBeGreaterThan(0);
  });

  test('when tokens are expired through the API, then a bearer token stops working', async () => {
    const form = new URLSearchParams({
      grant_type: 'password',
      client_id: 'bridge-client',
      client_secret: 'bridge-client-secret',
      username: 'bridge',
      password: 'bridge-password',
    });
    const { access_token } = (await (
      await fetch(`${sim.url}/oauth_token.do`, { method: 'POST', body: form })
    ).json()) as AdminBody;
    expect((await admin('POST', '/expire-tokens')).status).toBe(204);
    expect(
      (await fetch(`${sim.url}/api/now/table/incident`, { headers: { authorization: `Bearer ${access_token}` } }))
        .status,
    ).toBe(401);
  });
});
