import { Secret } from '../../src/common/secret';
import { TicketAuthError } from '../../src/ticketing/errors';
import { createServiceNowTarget } from '../../src/ticketing/servicenow/client';
import type { ServiceNowAuth } from '../../src/ticketing/servicenow/options';
import type { PooledTarget } from '../../src/ticketing/ticket-target';
import { record, startLoopback, type Loopback, type RecordedRequest, type Reply } from './servicenow-loopback';

const CLIENT_SECRET = 'client-secret-value';
const PASSWORD_GRANT: ServiceNowAuth = {
  type: 'oauth',
  grant: 'password',
  clientId: 'bridge-client',
  clientSecret: new Secret(CLIENT_SECRET),
  username: 'bridge',
  password: new Secret('bridge-password'),
};
const NOT_AUTHENTICATED = {
  status: 401,
  body: {
    error: { message: 'User is not authenticated', detail: 'Required to provide Auth information' },
    status: 'failure',
  },
};

const OAUTH_DENIED = { error_description: 'access_denied', error: 'server_error' };

let server: Loopback;
let clock: number;
const targets: PooledTarget[] = [];

/** A token endpoint issuing access-1, access-2, … and a table that accepts only the listed tokens. */
function instance(options: { accepted: (token: string) => boolean; expiresIn?: number; refreshToken?: boolean }): void {
  let issued = 0;
  server.handle((request: RecordedRequest): Reply => {
    if (request.path === '/oauth_token.do') {
      issued += 1;
      const refresh = options.refreshToken === false ? {} : { refresh_token: `refresh-${issued}` };
      const body = { access_token: `access-${issued}`, token_type: 'Bearer', expires_in: options.expiresIn ?? 1799 };
      return { status: 200, body: { ...body, ...refresh, scope: 'useraccount' } };
    }
    const token = request.headers.authorization?.replace('Bearer ', '') ?? '';
    return options.accepted(token) ? { status: 201, body: { result: record('s1', 'INC0010001') } } : NOT_AUTHENTICATED;
  });
}

function target(auth: ServiceNowAuth = PASSWORD_GRANT): PooledTarget {
  const created = createServiceNowTarget({ instanceUrl: server.url, auth }, { now: () => clock });
  targets.push(created);
  return created;
}

const isTokenRequest = (request: RecordedRequest): boolean => request.path === '/oauth_token.do';
const tokenRequests = (): URLSearchParams[] =>
  server.requests.filter(isTokenRequest).map((request) => new URLSearchParams(request.body));
const bearers = (): (string | undefined)[] =>
  server.requests.filter((request) => !isTokenRequest(request)).map((request) => request.headers.authorization);
const create = (created: PooledTarget) => created.create({ correlationId: 'orders:1', fields: {} });

beforeAll(async () => {
  server = await startLoopback();
});

beforeEach(() => {
  server.requests.length = 0;
  clock = Date.UTC(2025, 0, 1);
});

afterAll(async () => {
  await Promise.all(targets.map((created) => created.close()));
  await server.close();
});

describe('ServiceNow OAuth', () => {
  it('when the first call is made, then a form-encoded password grant is sent and the token is reused', async () => {
    instance({ accepted: () => true });
    const created = target();

    await create(created);
    await create(created);

    const [grant] = tokenRequests();
    expect(tokenRequests()).toHaveLength(1);
    expect(server.requests[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(grant)).toEqual({
      grant_type: 'password',
      client_id: 'bridge-client',
      client_secret: CLIENT_SECRET,
      username: 'bridge',
      password: 'bridge-password',
    });
    expect(bearers()).toEqual(['Bearer access-1', 'Bearer access-1']);
    expect(created.stats()).toEqual({ calls: 3, byOperation: { oauthToken: 1, create: 2 } });
  });

  it('when the token is within a minute of expiry, then it is refreshed with the refresh token first', async () => {
    instance({ accepted: () => true, expiresIn: 1800 });
    const created = target();

    await create(created);
    clock += (1800 - 59) * 1000;
    await create(created);

    expect(tokenRequests().map((params) => params.get('grant_type'))).toEqual(['password', 'refresh_token']);
    expect(tokenRequests()[1].get('refresh_token')).toBe('refresh-1');
    expect(bearers()).toEqual(['Bearer access-1', 'Bearer access-2']);
  });

  it('when many calls start together without a token, then they share one token request', async () => {
    instance({ accepted: () => true });
    const created = target();

    await Promise.all(Array.from({ length: 5 }, () => create(created)));

    expect(tokenRequests()).toHaveLength(1);
    expect(new Set(bearers())).toEqual(new Set(['Bearer access-1']));
  });

  it('when the Table API answers 401, then the token is refreshed once and the call retried once', async () => {
    instance({ accepted: (token) => token !== 'access-1' });
    const created = target();

    const ref = await create(created);

    expect(ref.number).toBe('INC0010001');
    expect(tokenRequests().map((params) => params.get('grant_type'))).toEqual(['password', 'refresh_token']);
    expect(bearers()).toEqual(['Bearer access-1', 'Bearer access-2']);
  });

  it('when the retried call is refused too, then it throws TicketAuthError without a third attempt', async () => {
    instance({ accepted: () => false });
    const created = target();

    await expect(create(created)).rejects.toThrow(TicketAuthError);
    expect(created.stats().byOperation).toEqual({ oauthToken: 2, create: 2 });
  });

  it('when client credentials bring no refresh token, then a 401 leads to a new client_credentials grant', async () => {
    instance({ accepted: (token) => token !== 'access-1', refreshToken: false });
    const auth: ServiceNowAuth = {
      type: 'oauth',
      grant: 'client_credentials',
      clientId: 'bridge-client',
      clientSecret: new Secret(CLIENT_SECRET),
      scope: 'useraccount',
    };

    await create(target(auth));

    const grants = tokenRequests();
    expect(grants.map((params) => params.get('grant_type'))).toEqual(['client_credentials', 'client_credentials']);
    expect(grants[0].get('scope')).toBe('useraccount');
    expect(grants[0].has('username')).toBe(false);
  });

  it('when the refresh token is refused, then it starts over with the password grant', async () => {
    let issued = 0;
    server.handle((request) => {
      const grantType = new URLSearchParams(request.body).get('grant_type');
      if (grantType === 'refresh_token') return { status: 401, body: OAUTH_DENIED };
      issued += grantType ? 1 : 0;
      if (grantType) return { status: 200, body: { access_token: `access-${issued}`, refresh_token: 'r' } };
      const firstToken = request.headers.authorization === 'Bearer access-1';
      return firstToken ? NOT_AUTHENTICATED : { status: 201, body: { result: record('s1', 'INC0010001') } };
    });

    await create(target());

    const grantTypes = tokenRequests().map((params) => params.get('grant_type'));
    expect(grantTypes).toEqual(['password', 'refresh_token', 'password']);
  });

  it('when the token endpoint refuses the client, then the TicketAuthError omits the secret', async () => {
    server.handle(() => ({ status: 401, body: OAUTH_DENIED }));

    const failure = create(target());

    await expect(failure).rejects.toThrow(TicketAuthError);
    await expect(failure).rejects.toThrow(/access_denied/);
    const error = await failure.catch((caught: unknown) => caught);
    expect(`${String(error)} ${JSON.stringify(error)}`).not.toContain(CLIENT_SECRET);
  });
});
