import { startServiceNowSimulator, type ServiceNowSimulator } from '../../dev/simulator/servicenow/server';

/** Token responses, and the one record read back. */
interface TokenBody {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  result: Record<string, unknown>;
}

const CLIENT = { client_id: 'bridge-client', client_secret: 'bridge-client-secret' };
const PASSWORD_GRANT = { ...CLIENT, grant_type: 'password', username: 'bridge', password: 'bridge-password' };
const NOT_AUTHENTICATED = {
  error: { detail: 'Required to provide Auth information', message: 'User Not Authenticated' },
  status: 'failure',
};
const ACCESS_DENIED = { error_description: 'access_denied', error: 'server_error' };

let sim: ServiceNowSimulator;

beforeAll(async () => {
  sim = await startServiceNowSimulator({ port: 0, apiKeys: ['key-123'], seed: 5 });
});
afterEach(() => sim.reset());
afterAll(() => sim.close());

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

function listWith(headers: Record<string, string>, target = sim) {
  return fetch(`${target.url}/api/now/table/incident?sysparm_limit=1`, {
    headers: { accept: 'application/json', ...headers },
  });
}

function token(form: Record<string, string>, target = sim) {
  return fetch(`${target.url}/oauth_token.do`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}

describe('basic auth', () => {
  test.each([
    ['no credentials', {}],
    ['a wrong password', { authorization: basic('bridge', 'nope') }],
    ['an unknown user', { authorization: basic('mallory', 'bridge-password') }],
    ['a bearer token never issued', { authorization: 'Bearer made-up' }],
    ['a wrong API key', { 'x-sn-apikey': 'key-999' }],
  ])('when the call has %s, then it gets the sample 401 with the BASIC challenge', async (_label, headers) => {
    const res = await listWith(headers);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('BASIC realm="Service-now"');
    expect(await res.json()).toEqual(NOT_AUTHENTICATED);
  });

  test('when the configured user calls, then the call succeeds', async () => {
    expect((await listWith({ authorization: basic('bridge', 'bridge-password') })).status).toBe(200);
  });

  test('when a valid API key is sent in x-sn-apikey, then the call succeeds', async () => {
    expect((await listWith({ 'x-sn-apikey': 'key-123' })).status).toBe(200);
  });
});

describe('oauth', () => {
  test('when the password grant succeeds, then the token response has the documented shape and the token works', async () => {
    const res = await token(PASSWORD_GRANT);
    expect(res.status).toBe(200);
    const body = (await res.json()) as TokenBody;
    expect(Object.keys(body)).toEqual(['scope', 'token_type', 'expires_in', 'refresh_token', 'access_token']);
    expect(body).toMatchObject({ scope: 'useraccount', token_type: 'Bearer', expires_in: 1799 });
    expect((await listWith({ authorization: `Bearer ${body.access_token}` })).status).toBe(200);
  });

  test('when the same grant is asked again before expiry, then the same tokens come back', async () => {
    const first = (await (await token(PASSWORD_GRANT)).json()) as TokenBody;
    const second = (await (await token(PASSWORD_GRANT)).json()) as TokenBody;
    expect(second.access_token).toBe(first.access_token);
    expect(second.refresh_token).toBe(first.refresh_token);
  });

  test.each([
    ['a wrong password', { ...PASSWORD_GRANT, password: 'nope' }],
    ['a wrong client secret', { ...PASSWORD_GRANT, client_secret: 'nope' }],
    ['an unknown grant type', { ...CLIENT, grant_type: 'implicit' }],
    ['an unknown refresh token', { ...CLIENT, grant_type: 'refresh_token', refresh_token: 'nope' }],
  ])('when the token request has %s, then it fails with 401 access_denied', async (_label, form) => {
    const res = await token(form);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(ACCESS_DENIED);
  });

  test('when the token request is JSON instead of a form, then it fails', async () => {
    const res = await fetch(`${sim.url}/oauth_token.do`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(PASSWORD_GRANT),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(ACCESS_DENIED);
  });

  test('when tokens are force-expired, then the bearer gets 401 and the refresh grant gives a working access token only', async () => {
    const granted = (await (await token(PASSWORD_GRANT)).json()) as TokenBody;
    sim.expireTokens();
    expect((await listWith({ authorization: `Bearer ${granted.access_token}` })).status).toBe(401);
    const refreshed = (await (
      await token({ ...CLIENT, grant_type: 'refresh_token', refresh_token: granted.refresh_token })
    ).json()) as TokenBody;
    expect(Object.keys(refreshed)).toEqual(['scope', 'token_type', 'expires_in', 'access_token']);
    expect(refreshed.access_token).not.toBe(granted.access_token);
    expect((await listWith({ authorization: `Bearer ${refreshed.access_token}` })).status).toBe(200);
  });

  test('when the client credentials grant is used, then the token acts as the integration user', async () => {
    const granted = (await (await token({ ...CLIENT, grant_type: 'client_credentials' })).json()) as TokenBody;
    expect(granted).not.toHaveProperty('refresh_token');
    const res = await fetch(`${sim.url}/api/now/table/incident`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${granted.access_token}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify({ short_description: 'via client credentials' }),
    });
    expect(((await res.json()) as TokenBody).result.sys_created_by).toBe('bridge');
  });

  test('when the token lifetime passes, then the access token stops working', async () => {
    const shortLived = await startServiceNowSimulator({ port: 0, tokenTtlSec: 1 });
    try {
      const granted = (await (await token(PASSWORD_GRANT, shortLived)).json()) as TokenBody;
      expect(granted.expires_in).toBe(1);
      expect((await listWith({ authorization: `Bearer ${granted.access_token}` }, shortLived)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await listWith({ authorization: `Bearer ${granted.access_token}` }, shortLived)).status).toBe(401);
    } finally {
      await shortLived.close();
    }
  });
});
