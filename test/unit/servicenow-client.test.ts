import { inspect } from 'node:util';
import { Secret } from '../../src/common/secret';
import { TicketAuthError, TicketUnavailableError, TicketValidationError } from '../../src/ticketing/errors';
import { createServiceNowTarget } from '../../src/ticketing/servicenow/client';
import type { ServiceNowOptions } from '../../src/ticketing/servicenow/options';
import type { PooledTarget } from '../../src/ticketing/ticket-target';
import { record, startLoopback, type Loopback } from './servicenow-loopback';

const PASSWORD = 'hunter2-very-secret';
const SYS_ID = 'c537bae64f411200adf9f8e18110c76e';
const REF_FIELDS = 'sys_id,number,state,sys_created_on';

let server: Loopback;
const targets: PooledTarget[] = [];

function target(overrides: Partial<ServiceNowOptions> = {}): PooledTarget {
  const auth = { type: 'basic' as const, username: 'bridge', password: new Secret(PASSWORD) };
  const created = createServiceNowTarget({ instanceUrl: `${server.url}/`, auth, ...overrides });
  targets.push(created);
  return created;
}

beforeAll(async () => {
  server = await startLoopback();
});

beforeEach(() => {
  server.requests.length = 0;
  server.handle(() => ({ status: 201, body: { result: record(SYS_ID, 'INC0010002') } }));
});

afterAll(async () => {
  await Promise.all(targets.map((created) => created.close()));
  await server.close();
});

describe('ServiceNow client requests', () => {
  it('when creating, then it POSTs the fields with the correlation fields and the small field list', async () => {
    const fields = { short_description: 'Disk full', urgency: '2' };
    const ref = await target().create({ correlationId: 'orders:42', fields });

    const [request] = server.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/api/now/table/incident');
    expect(request.query.get('sysparm_fields')).toBe(REF_FIELDS);
    expect(request.query.get('sysparm_exclude_reference_link')).toBe('true');
    expect(request.query.has('sysparm_input_display_value')).toBe(false);
    expect(request.headers.accept).toBe('application/json');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toMatch(/^incident-bridge\/\d+\.\d+\.\d+/);
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`bridge:${PASSWORD}`).toString('base64')}`);
    expect(JSON.parse(request.body)).toEqual({
      short_description: 'Disk full',
      urgency: '2',
      correlation_id: 'orders:42',
      correlation_display: 'incident-bridge',
    });
    expect(ref).toEqual({
      id: SYS_ID,
      number: 'INC0010002',
      state: '1',
      createdAt: '2025-01-01 12:00:00',
      closed: false,
      url: `${server.url}/nav_to.do?uri=incident.do?sys_id=${SYS_ID}`,
    });
  });

  it('when short_description is too long, then it is cut to 160 units without splitting an emoji', async () => {
    const created = target();
    await created.create({ correlationId: 'k1', fields: { short_description: 'a'.repeat(159) + '😀 tail' } });
    await created.create({ correlationId: 'k2', fields: { short_description: 'é'.repeat(200) } });

    const [first, second] = server.requests.map((request) => JSON.parse(request.body).short_description as string);
    expect(first).toBe('a'.repeat(159));
    expect(second).toBe('é'.repeat(160));
    expect(created.stats()).toEqual({ calls: 2, byOperation: { create: 2 } });
  });

  it('when input display values and another table are configured, then the query and path say so', async () => {
    await target({ table: 'sn_si_incident', inputDisplayValue: true }).create({ correlationId: 'k', fields: {} });

    expect(server.requests[0].path).toBe('/api/now/table/sn_si_incident');
    expect(server.requests[0].query.get('sysparm_input_display_value')).toBe('true');
  });

  it('when finding by correlation, then it queries oldest first and breaks same-second ties by number', async () => {
    server.handle(() => ({
      status: 200,
      body: { result: [record('b', 'INC0010009', '7', '2025-01-01 12:00:00'), record('a', 'INC0010008')] },
    }));

    const refs = await target().findByCorrelation('orders:42');

    const { method, path, query } = server.requests[0];
    expect([method, path]).toEqual(['GET', '/api/now/table/incident']);
    expect(query.get('sysparm_query')).toBe('correlation_id=orders:42^ORDERBYsys_created_on');
    expect(query.get('sysparm_fields')).toBe(REF_FIELDS);
    expect(refs.map((ref) => [ref.number, ref.closed])).toEqual([
      ['INC0010008', false],
      ['INC0010009', true],
    ]);
  });

  it('when updating, resolving and cancelling, then each PATCHes the record with its state change', async () => {
    server.handle(() => ({ status: 200, body: { result: record(SYS_ID, 'INC0010002', '6') } }));
    const defaults = { close_code: 'Solution provided', close_notes: 'Closed by incident-bridge' };
    const created = target({ resolveDefaults: defaults });
    const ref = { id: SYS_ID, number: 'INC0010002' };
    const kept = { id: 'kept-id', number: 'INC0010001' };

    await created.update(ref, { work_notes: 'again' });
    const resolved = await created.resolve(ref, {});
    await created.resolve(ref, { close_code: 'Workaround provided' });
    await created.cancelDuplicate(ref, kept);

    const bodies = server.requests.map((request) => JSON.parse(request.body));
    const targetsOfCalls = new Set(server.requests.map((request) => `${request.method} ${request.path}`));
    expect(targetsOfCalls).toEqual(new Set([`PATCH /api/now/table/incident/${SYS_ID}`]));
    expect(bodies[0]).toEqual({ work_notes: 'again' });
    expect(bodies[1]).toEqual({ ...defaults, state: '6' });
    expect(bodies[2]).toEqual({ close_code: 'Workaround provided', close_notes: defaults.close_notes, state: '6' });
    expect(bodies[3]).toMatchObject({ state: '8', work_notes: expect.stringContaining('INC0010001') });
    expect(resolved.closed).toBe(true);
    expect(created.stats().byOperation).toEqual({ update: 1, resolve: 2, cancelDuplicate: 1 });
  });

  it('when reading one ticket by id, then it GETs that record with the small field list', async () => {
    server.handle(() => ({ status: 200, body: { result: record(SYS_ID, 'INC0010002', '7') } }));
    const ref = await target().get!({ id: SYS_ID, number: 'INC0010002' });
    const [request] = server.requests;
    expect([request.method, request.path]).toEqual(['GET', `/api/now/table/incident/${SYS_ID}`]);
    expect(request.query.get('sysparm_fields')).toBe(REF_FIELDS);
    expect(ref).toMatchObject({ id: SYS_ID, number: 'INC0010002', state: '7', closed: true });
  });

  it('when an API key is configured, then it goes in x-sn-apikey and no Authorization is sent', async () => {
    const created = target({ auth: { type: 'api-key', apiKey: new Secret('key-123') } });
    await created.create({ correlationId: 'k', fields: {} });

    expect(server.requests[0].headers['x-sn-apikey']).toBe('key-123');
    expect(server.requests[0].headers.authorization).toBeUndefined();
  });

  it('when the correlation id is over 100 characters, then it is refused before any request', async () => {
    const failure = target().create({ correlationId: 'x'.repeat(101), fields: {} });
    await expect(failure).rejects.toThrow(TicketValidationError);
    expect(server.requests).toHaveLength(0);
  });
});

describe('ServiceNow client failures', () => {
  it('when Basic credentials are refused, then it throws TicketAuthError after one call', async () => {
    server.handle(() => ({
      status: 401,
      headers: { 'www-authenticate': 'BASIC realm="Service-now"' },
      body: {
        error: { detail: 'Required to provide Auth information', message: 'User Not Authenticated' },
        status: 'failure',
      },
    }));

    await expect(target().create({ correlationId: 'k', fields: {} })).rejects.toThrow(TicketAuthError);
    expect(server.requests).toHaveLength(1);
  });

  it('when a developer instance is hibernating, then create fails as unavailable for five minutes', async () => {
    server.handle(() => ({
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: '<html><head><title>Instance Hibernating page</title></head><h1>Your instance is hibernating</h1></html>',
    }));

    const failure = target().create({ correlationId: 'k', fields: {} });
    await expect(failure).rejects.toThrow(TicketUnavailableError);
    const hibernating = { retryAfterMs: 300_000, message: expect.stringContaining('hibernating') };
    await expect(failure).rejects.toMatchObject(hibernating);
  });

  it('when the caller aborts, then the in-flight request is abandoned as unavailable', async () => {
    server.handle(() => 'hang');
    const controller = new AbortController();

    const failure = target().update({ id: SYS_ID, number: 'INC1' }, {}, { signal: controller.signal });
    await server.nextRequest();
    controller.abort();

    await expect(failure).rejects.toThrow(/aborted/);
    await expect(failure).rejects.toBeInstanceOf(TicketUnavailableError);
  });

  it('when the server does not answer within the request timeout, then it fails as unavailable', async () => {
    server.handle(() => 'hang');
    const started = Date.now();

    const failure = target({ requestTimeoutMs: 200 }).findByCorrelation('k');

    await expect(failure).rejects.toThrow(/timed out/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('when any call fails, then the password appears in no form of the error', async () => {
    const closed = await startLoopback();
    await closed.close();
    server.handle(() => ({ status: 500, body: 'boom' }));
    const failures = await Promise.all([
      target()
        .create({ correlationId: 'k', fields: {} })
        .catch((error: unknown) => error),
      target({ instanceUrl: closed.url })
        .create({ correlationId: 'k', fields: {} })
        .catch((error: unknown) => error),
    ]);

    const encoded = Buffer.from(`bridge:${PASSWORD}`).toString('base64');
    for (const error of failures) {
      expect(error).toBeInstanceOf(TicketUnavailableError);
      const renderings = [String(error), JSON.stringify(error), inspect(error, { depth: 10 })].join('\n');
      expect(renderings).not.toContain(PASSWORD);
      expect(renderings).not.toContain(encoded);
    }
  });
});
