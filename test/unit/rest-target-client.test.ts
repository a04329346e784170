import type { RestTargetConfig } from '../../src/ticketing/target-config';
import { loadBridgeConfig } from '../../src/settings/file/load';
import { DEFAULT_REST_TOKEN, startRestTicketServer, type RestTicketServer } from '../../dev/simulator/rest/server';
import {
  TicketAuthError,
  TicketConflictError,
  TicketNotFoundError,
  TicketRateLimitedError,
  TicketUnavailableError,
  TicketValidationError,
} from '../../src/ticketing/errors';
import { createRestTarget } from '../../src/ticketing/rest';
import type { PooledTarget } from '../../src/ticketing/ticket-target';
import { configDir } from '../fixtures/config/write-config';

const TARGETS = `
targets:
  tickets:
    type: rest
    headers: { authorization: { env: TICKETS_AUTH } }
    request_timeout: 2s
    create:
      method: POST
      url: "BASE/api/tickets"
      body: '{"title": {{ fields.title | json }}, "description": {{ fields.description | default: "" | json }}, "correlation_id": {{ correlation_id | json }}}'
      success_statuses: [201]
      id_path: ticket.id
      number_path: ticket.number
      created_path: ticket.created_at
      closed_path: ticket.closed
    find:
      method: GET
      url: "BASE/api/tickets?correlation_id={{ correlation_id | url_encode }}"
      results_path: items
      id_path: id
      number_path: number
      created_path: created_at
      closed_path: closed
      state_path: status
    update:
      method: PATCH
      url: "BASE/api/tickets/{{ ticket.id | url_encode }}"
      body: '{"title": {{ fields.title | json }}, "note": {{ fields.work_notes | default: "" | json }}}'
      id_path: ticket.id
      state_path: ticket.status
      closed_path: ticket.closed
    resolve:
      method: PATCH
      url: "BASE/api/tickets/{{ ticket.id | url_encode }}"
      body: '{"status": "closed", "resolution": {{ fields.resolution | json }}}'
      id_path: ticket.id
      state_path: ticket.status
      closed_path: ticket.closed
  raw:
    type: rest
    headers: { authorization: "Bearer ${DEFAULT_REST_TOKEN}" }
    create: { method: POST, url: "BASE/api/tickets", body: '{"title": "{{ fields.title }}"}', id_path: ticket.id }
    find: { method: GET, url: "{{ correlation_id }}", id_path: id }
    update: { method: PATCH, url: "BASE/api/tickets/{{ ticket.id }}" }
defaults: { target: tickets }
`;

const files = configDir();
let server: RestTicketServer;
let configs: Record<string, RestTargetConfig>;
let target: PooledTarget;
const others: PooledTarget[] = [];

function restTarget(name: string, overrides: Partial<RestTargetConfig> = {}): PooledTarget {
  const created = createRestTarget({ ...configs[name], ...overrides }, { name });
  others.push(created);
  return created;
}

beforeAll(async () => {
  server = await startRestTicketServer();
  const path = files.write('rest.yaml', TARGETS.replaceAll('BASE', server.url));
  const config = loadBridgeConfig({ env: { TICKETS_AUTH: `Bearer ${DEFAULT_REST_TOKEN}` }, path });
  configs = config.targets as Record<string, RestTargetConfig>;
  target = createRestTarget(configs.tickets, { name: 'tickets' });
});

afterEach(() => server.setFaults({}));

afterAll(async () => {
  await Promise.all([target, ...others].map((created) => created.close()));
  await server.close();
  files.remove();
});

describe('generic REST target against the loopback ticket server', () => {
  it('when a ticket is created, then the ref comes from the configured paths and hostile values stay intact', async () => {
    const title = 'Quote " backslash \\ newline\n {{ x }} <b>ü</b>';

    const ref = await target.create({ correlationId: 'rest:1', fields: { title, description: 'd' } });

    expect(ref).toEqual({
      id: expect.stringMatching(/^tkt_\d+$/),
      number: expect.stringMatching(/^T-\d+$/),
      createdAt: expect.any(String),
      closed: false,
    });
    expect(server.tickets().find((ticket) => ticket.id === ref.id)).toMatchObject({
      title,
      description: 'd',
      correlation_id: 'rest:1',
    });
  });

  it('when searching by correlation id, then matches come oldest first and others are not found', async () => {
    const first = await target.create({ correlationId: 'rest:two & more', fields: { title: 'one' } });
    const second = await target.create({ correlationId: 'rest:two & more', fields: { title: 'two' } });

    const found = await target.findByCorrelation('rest:two & more');

    expect(found.map((ref) => ref.id)).toEqual([first.id, second.id]);
    expect(found[0]).toMatchObject({ state: 'open', closed: false });
    await expect(target.findByCorrelation('rest:none')).resolves.toEqual([]);
  });

  it('when a ticket is updated and then resolved, then the answers drive state and closed', async () => {
    const ref = await target.create({ correlationId: 'rest:life', fields: { title: 'life' } });

    const updated = await target.update(ref, { title: 'life 2', work_notes: 'changed' });
    const resolved = await target.resolve(updated, { resolution: 'fixed' });

    expect(updated).toMatchObject({ id: ref.id, number: ref.number, state: 'open', closed: false });
    expect(resolved).toMatchObject({ id: ref.id, state: 'closed', closed: true });
    expect(server.tickets().find((ticket) => ticket.id === ref.id)).toMatchObject({
      title: 'life 2',
      notes: ['changed'],
      resolution: 'fixed',
    });
  });

  it('when a closed ticket is updated, then the 409 becomes a TicketConflictError', async () => {
    const ref = await target.create({ correlationId: 'rest:closed', fields: { title: 'c' } });
    await target.resolve(ref, { resolution: 'done' });

    await expect(target.update(ref, { title: 'again' })).rejects.toThrow(TicketConflictError);
  });

  it('when an operation is not configured, then it is refused as a validation error saying so', async () => {
    const raw = restTarget('raw');
    const ref = { id: 'tkt_1', number: 'T-1' };

    await expect(raw.resolve(ref, {})).rejects.toThrow(
      new TicketValidationError('REST target raw: resolve is not configured for this target'),
    );
    await expect(target.cancelDuplicate(ref, { id: 'tkt_2', number: 'T-2' })).rejects.toThrow(
      /cancel_duplicate is not configured/,
    );
  });

  it('when a body template does not produce JSON, then the call is not sent and fails as validation', async () => {
    const before = server.tickets().length;

    await expect(
      restTarget('raw').create({ correlationId: 'rest:raw', fields: { title: 'say "hi"' } }),
    ).rejects.toThrow(/REST target raw: create body is not JSON/);
    expect(server.tickets()).toHaveLength(before);
  });

  it('when a URL template does not render an http URL, then it fails as validation', async () => {
    await expect(restTarget('raw').findByCorrelation('not-a-url')).rejects.toThrow(/find url is not an http\(s\) URL/);
  });
});

describe('generic REST target error statuses', () => {
  it('when the server answers 422, then a TicketValidationError quotes its message', async () => {
    await expect(target.create({ correlationId: 'rest:422', fields: { title: ' ' } })).rejects.toThrow(
      new TicketValidationError('REST target tickets answered 422: {"error":"title is required"}'),
    );
  });

  it('when the token is wrong, then the 401 becomes a TicketAuthError', async () => {
    const wrong = restTarget('tickets', { headers: { authorization: 'Bearer wrong' } });

    await expect(wrong.findByCorrelation('rest:auth')).rejects.toThrow(TicketAuthError);
  });

  it('when the ticket does not exist, then the 404 becomes a TicketNotFoundError', async () => {
    await expect(target.update({ id: 'tkt_404', number: 'T-404' }, { title: 'x' })).rejects.toThrow(
      TicketNotFoundError,
    );
  });

  it('when the server answers 429 with Retry-After, then the wait is carried and the next call goes through', async () => {
    server.setFaults({ storm429: { count: 1, retryAfterSec: 3 } });

    const limited = target.findByCorrelation('rest:429');

    await expect(limited).rejects.toThrow(TicketRateLimitedError);
    await expect(limited).rejects.toMatchObject({ status: 429, retryAfterMs: 3000 });
    await expect(target.findByCorrelation('rest:429')).resolves.toEqual([]);
  });

  it('when the server answers 503 or drops the connection, then the error is transient', async () => {
    server.setFaults({ errorRate: 1, errorStatuses: [503] });
    await expect(target.create({ correlationId: 'rest:503', fields: { title: 'x' } })).rejects.toMatchObject({
      kind: 'unavailable',
      status: 503,
    });

    server.setFaults({ outage: { forMs: 60_000, mode: 'reset' } });
    await expect(target.findByCorrelation('rest:reset')).rejects.toThrow(TicketUnavailableError);
  });

  it('when the fault configuration uses a ServiceNow-only key, then the server refuses it', () => {
    expect(() => server.setFaults({ hibernating: true } as never)).toThrow(
      /not supported by this simulator: hibernating/,
    );
  });
});
