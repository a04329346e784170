import { createEventRouter } from '../../src/starting/event-routing';
import type { HasuraEvent } from '../../src/contract';
import { loadBridgeConfig, loadBridgeRouting } from '../../src/settings/file/load';
import { configDir } from '../fixtures/config/write-config';
import { CORRELATION_ENV, CORRELATION_YAML } from '../helpers/correlation';

const files = configDir();
afterAll(() => files.remove());
const ENV = {
  SERVICENOW_INSTANCE_URL: 'https://x.service-now.com',
  SERVICENOW_USERNAME: 'u',
  SERVICENOW_PASSWORD: 'p',
  DB_URL: 'postgres://u:p@db/app',
  HASURA_SECRET: 's',
};
const SOURCE = `source:
  postgres: { url: { env: DB_URL } }
  hasura: { url: "http://hasura:8080", admin_secret: { env: HASURA_SECRET }, role: incident_bridge }
`;
const problemsOf = (yaml: string): string[] => {
  try {
    loadBridgeConfig({ env: ENV, path: files.write('c.yaml', yaml) });
    return [];
  } catch (error) {
    return (error as { problems: string[] }).problems;
  }
};

describe('writeback config', () => {
  test.each([
    [
      'via hasura without source.hasura',
      'triggers:\n  t: { writeback: { via: hasura, columns: { ticket_number: "{{ ticket.number }}" } } }',
      'triggers.t.writeback.via: hasura needs source.hasura (url, admin_secret, role), which is not configured',
    ],
    [
      'via postgres without source.postgres',
      'defaults:\n  writeback: { via: postgres, columns: { n: "x" } }',
      'defaults.writeback.via: postgres needs source.postgres.url, which is not configured',
    ],
    [
      'a template that does not parse',
      `${SOURCE}triggers:\n  t: { writeback: { via: postgres, error_columns: { e: "{{ error.message " } } }`,
      'triggers.t.writeback.error_columns.e: template error',
    ],
    [
      'a column that is no identifier',
      `${SOURCE}triggers:\n  t: { writeback: { via: postgres, columns: { "": "x" } } }`,
      'triggers.t.writeback.columns',
    ],
    [
      'a column Hasura cannot expose',
      `${SOURCE}triggers:\n  t: { writeback: { via: hasura, columns: { "ticket no": "x" } } }`,
      'triggers.t.writeback: "ticket no" is not a GraphQL name, so Hasura cannot expose it (use via: postgres)',
    ],
    [
      'an unknown key',
      `${SOURCE}triggers:\n  t: { writeback: { via: postgres, column: { n: "x" } } }`,
      "triggers.t.writeback: Unrecognized key(s) in object: 'column'",
    ],
    [
      'no columns at all',
      `${SOURCE}triggers:\n  t: { writeback: { via: postgres } }`,
      'triggers.t.writeback: names no columns',
    ],
  ])('when a trigger has %s, then loading fails naming the key', (_what, yaml, problem) => {
    expect(problemsOf(yaml).some((line) => line.startsWith(problem))).toBe(true);
  });

  test('when a trigger sets writeback: null, then the default write-back is off for it alone', () => {
    const yaml = `${SOURCE}defaults:\n  writeback: { via: postgres, table: app.requests, columns: { n: "x" } }\ntriggers:\n  off: { writeback: null }\n  on: {}`;
    const config = loadBridgeConfig({ env: ENV, path: files.write('c.yaml', yaml) });
    expect(config.triggers.off.writeback).toBeUndefined();
    expect(config.triggers.on.writeback).toEqual({
      via: 'postgres',
      table: { schema: 'app', name: 'requests' },
      columns: { n: 'x' },
      errorColumns: {},
    });
  });
});

describe('loop guards (webhook routing)', () => {
  const yaml = `${SOURCE}triggers:\n  t:\n    writeback: { via: postgres, columns: { ticket_number: "x" }, error_columns: { ticket_error: "e" } }\n`;
  const router = () => createEventRouter(loadBridgeRouting({ BRIDGE_CONFIG: files.write('g.yaml', yaml) }));
  const update = (old: object, now: object, session: Record<string, string> | null = null): HasuraEvent => ({
    eventId: 'e',
    trigger: 't',
    table: { schema: 'public', name: 'r' },
    op: 'UPDATE',
    createdAt: '2026-12-02T10:00:00',
    data: { old: { id: 1, ...old }, new: { id: 1, ...now } },
    sessionVariables: session,
  });

  test('when only write-back columns changed, then the event is ignored by the write-back-columns guard', () => {
    expect(router()(update({ ticket_number: null }, { ticket_number: 'INC1', ticket_error: 'x' }))).toMatchObject({
      kind: 'ignored',
      loopGuard: 'writeback-columns',
    });
  });

  test('when another column changed too, then the event is routed as before', () => {
    expect(router()(update({ title: 'a' }, { title: 'b', ticket_number: 'INC1' })).kind).toBe('single');
  });

  // A trigger whose `payload` list leaves the write-back columns out shows the bridge's own write-back as an
  // UPDATE in which nothing visible changed; routed, it would make a ticket whose write-back echoes again.
  test('when nothing it carries changed (a payload list hides the write-back columns), then it is ignored as an echo', () => {
    expect(router()(update({ title: 'a' }, { title: 'a' }))).toMatchObject({
      kind: 'ignored',
      loopGuard: 'writeback-columns',
    });
  });

  test('when a bigint column differs only past 2^53, then it counts as changed (compared as its digits)', () => {
    const event = update(
      { big: '9007199254740993', ticket_number: null },
      { big: '9007199254740992', ticket_number: 'I' },
    );
    expect(router()(event).kind).toBe('single');
  });

  test('when a json column only reorders its keys, then it is unchanged', () => {
    const event = update({ doc: { a: 1, b: 2 }, ticket_number: null }, { doc: { b: 2, a: 1 }, ticket_number: 'I' });
    expect(router()(event)).toMatchObject({ loopGuard: 'writeback-columns' });
  });

  test('when only the inbound columns a ServiceNow change wrote changed, then the columns guard ignores it', () => {
    const inbound = `${SOURCE.replace(/ {2}hasura.*\n/, '')}${CORRELATION_YAML}triggers:
  i:
    lifecycle: { enabled: true }
    writeback: { via: postgres, columns: { ticket_sys_id: "{{ ticket.id }}" } }
    inbound:
      columns: { status: "{{ record.state }}", resolution: "{{ record.close_notes }}" }
      ticket_column: ticket_sys_id
`;
    const routing = loadBridgeRouting({ ...CORRELATION_ENV, BRIDGE_CONFIG: files.write('i.yaml', inbound) });
    const event = { ...update({ status: 'open' }, { status: 'resolved', resolution: 'fixed' }), trigger: 'i' };
    expect(createEventRouter(routing)(event)).toMatchObject({ kind: 'ignored', loopGuard: 'writeback-columns' });
    const edited = { ...update({ status: 'open' }, { status: 'resolved', title: 'b' }), trigger: 'i' };
    expect(createEventRouter(routing)(edited).kind).toBe('row');
  });

  test("when the session carries the bridge's role, then any event is ignored by the bridge-role guard", () => {
    const event = update({ title: 'a' }, { title: 'b' }, { 'x-hasura-role': 'incident_bridge' });
    expect(router()(event)).toMatchObject({ kind: 'ignored', loopGuard: 'bridge-role' });
    expect(router()({ ...event, sessionVariables: { 'x-hasura-role': 'user' } }).kind).toBe('single');
  });
});

describe('source.hasura.role', () => {
  // Every admin-secret request without x-hasura-role runs as `admin` (console edits, backend services):
  // as the bridge's role, the bridge-role guard would drop all their events as echoes.
  test('when the role is admin, then the config is refused naming the key', () => {
    const yaml = SOURCE.replace('role: incident_bridge', 'role: admin') + 'triggers:\n  t: {}\n';
    expect(problemsOf(yaml)).toEqual([expect.stringContaining('source.hasura.role')]);
  });
});
