import { startServiceNowSimulator, type ServiceNowSimulator } from '../../dev/simulator/servicenow/server';

interface ErrorBody {
  error: { message: string; detail: string | null };
}

const USERS = [
  { username: 'bridge', password: 'bridge-password' },
  { username: 'other', password: 'other-password' },
];

let sim: ServiceNowSimulator;

beforeAll(async () => {
  sim = await startServiceNowSimulator({ port: 0, users: USERS });
});
afterEach(() => sim.reset());
afterAll(() => sim.close());

function listAs(username: string) {
  const password = USERS.find((user) => user.username === username)?.password ?? '';
  return fetch(`${sim.url}/api/now/table/incident?sysparm_limit=1`, {
    headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
  });
}

describe('per-user rate limit', () => {
  test('when a user exceeds the limit, then the call gets the sample 429 and the documented headers', async () => {
    sim.setFaults({ rateLimit: { perHour: 2, windowMs: 60_000 } });
    const allowed = [await listAs('bridge'), await listAs('bridge')];
    expect(allowed.map((res) => res.status)).toEqual([200, 200]);
    expect(allowed[0].headers.get('x-ratelimit-limit')).toBe('2');
    const denied = await listAs('bridge');
    expect(denied.status).toBe(429);
    expect(await denied.json()).toEqual({
      error: { message: 'Rate limit exceeded', detail: 'Rate limit of 2 requests per hour for Table API exceeded' },
      status: 'failure',
    });
    const resetSec = Number(denied.headers.get('x-ratelimit-reset'));
    expect(resetSec).toBeGreaterThan(Date.now() / 1000);
    expect(resetSec).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 60);
    expect(denied.headers.get('x-ratelimit-rule')).toMatch(/^[0-9a-f]{32}$/);
    expect(Number(denied.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(denied.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(denied.headers.get('x-ratelimit-remaining')).toBeNull();
    // The refused call counts too: the peak is what the window saw, not what it let through.
    expect(sim.stats().peakWindowCalls).toBe(3);
  });

  test('when one user is limited, then another user is not', async () => {
    sim.setFaults({ rateLimit: { perHour: 1 } });
    expect((await listAs('bridge')).status).toBe(200);
    expect((await listAs('bridge')).status).toBe(429);
    expect((await listAs('other')).status).toBe(200);
  });

  test('when the window passes, then the user may call again', async () => {
    sim.setFaults({ rateLimit: { perHour: 1, windowMs: 300 } });
    expect((await listAs('bridge')).status).toBe(200);
    expect((await listAs('bridge')).status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect((await listAs('bridge')).status).toBe(200);
  });

  test('when a call is not authenticated, then it gets 401 and does not count', async () => {
    sim.setFaults({ rateLimit: { perHour: 1 } });
    expect((await fetch(`${sim.url}/api/now/table/incident`)).status).toBe(401);
    expect((await listAs('bridge')).status).toBe(200);
  });
});

describe('429 storm', () => {
  test('when a storm of N is set, then the next N calls get 429 with Retry-After and then calls pass', async () => {
    sim.setFaults({ storm429: { count: 2, retryAfterSec: 7 } });
    const stormed = [await listAs('bridge'), await listAs('other')];
    expect(stormed.map((res) => [res.status, res.headers.get('retry-after')])).toEqual([
      [429, '7'],
      [429, '7'],
    ]);
    expect(((await stormed[0].json()) as ErrorBody).error.message).toBe('Rate limit exceeded');
    expect((await listAs('bridge')).status).toBe(200);
  });

  test('when a storm runs until a time, then calls get 429 until then', async () => {
    sim.setFaults({ storm429: { untilEpochMs: Date.now() + 300 } });
    expect((await listAs('bridge')).status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect((await listAs('bridge')).status).toBe(200);
  });
});
