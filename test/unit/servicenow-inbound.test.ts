import { inboundTriggers } from '../../src/activities/inbound-triggers';
import { rowOfCorrelation } from '../../src/activities/inbound-key';
import { ConfigError } from '../../src/common/config-error';
import { rowKeyColumns } from '../../src/mapping/row-key';
import { loadBridgeConfig } from '../../src/settings/file/load';
import { serviceNowEventsFromEnv, serviceNowReconcileFromEnv } from '../../src/settings/servicenow-inbound';
import { configDir } from '../fixtures/config/write-config';
import { CORRELATION_ENV, CORRELATION_YAML, rowTicketKey } from '../helpers/correlation';

const SN = (auth: string) => `sn: { type: servicenow, instance_url: https://x.service-now.com, auth: ${auth} }`;
const BASIC = '{ type: basic, username: svc, password: { env: P } }';
const API_KEY = '{ type: api-key, api_key: { env: P } }';
// Inbound writes the row, so every config here has a source to write it with.
const PG = `source: { postgres: { url: { env: P } } }\n${CORRELATION_YAML}`;
const HASURA = `source: { hasura: { url: "http://hasura:8080", admin_secret: { env: P }, role: incident_bridge } }\n${CORRELATION_YAML}`;
// Every inbound trigger binds its rows by the ticket column its write-back writes (review 14 R2).
const WB = (via = 'postgres') => `writeback: { via: ${via}, columns: { ticket_sys_id: "{{ ticket.id }}" } }`;
const BOUND = 'ticket_column: ticket_sys_id';
const files = configDir();
afterAll(() => files.remove());

function problemsOf(yaml: string): string[] {
  try {
    loadBridgeConfig({ env: { P: 'p', ...CORRELATION_ENV }, path: files.write('inbound.yaml', yaml) });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the config loaded, but it should have been refused');
}

// Signed keys back to their rows: test/unit/correlation-key.test.ts.
describe('from a ticket back to its row', () => {
  test.each([
    ['a key hashed past 100 characters', rowTicketKey('orders', 'public.orders', 'x'.repeat(120))],
    ['a single-event ticket', 'orders:5f0b5c0e-1e7a-4bb0-9d1d-8a1c0b8e2f11'],
    ["another trigger's ticket", 'orders_v2:public.orders:1'],
    ["another system's ticket", 'JIRA-123'],
  ])('when the correlation id is %s, then there is no row', (_name, correlationId) => {
    expect(rowOfCorrelation(correlationId, { name: 'orders', rowKey: ['id'] })).toBeUndefined();
  });

  test('when a composite key has the wrong number of parts, then there is no row', () => {
    expect(rowKeyColumns('a/b/c', ['x', 'y'])).toBeUndefined();
  });
});

describe('the inbound: section', () => {
  const lifecycle = 'lifecycle: { enabled: true }';
  test.each([
    [
      'a trigger without lifecycle',
      `${PG}targets: { ${SN(BASIC)} }\ntriggers: { t: { ${WB()}, inbound: { columns: { status: "{{ record.state }}" }, ${BOUND} } } }`,
      'triggers.t.inbound: needs lifecycle.enabled: true (a ticket per row is how a change finds its row)',
    ],
    [
      'a template that does not parse',
      `${PG}targets: { ${SN(BASIC)} }\ntriggers: { t: { ${lifecycle}, ${WB()}, inbound: { columns: { status: "{{ record.state " }, ${BOUND} } } }`,
      /^triggers\.t\.inbound\.columns\.status: template error/,
    ],
    [
      'an unknown lookup table',
      `${PG}targets: { ${SN(BASIC)} }\ntriggers: { t: { ${lifecycle}, ${WB()}, inbound: { columns: { s: "{{ record.state | lookup: 'x' }}" }, ${BOUND} } } }`,
      'triggers.t.inbound.columns.s: unknown lookup table "x" (defined under lookups: none)',
    ],
    [
      'an unknown key',
      `${PG}targets: { ${SN(BASIC)} }\ntriggers: { t: { ${lifecycle}, ${WB()}, inbound: { columns: { s: x }, colums: {}, ${BOUND} } } }`,
      "triggers.t.inbound: Unrecognized key(s) in object: 'colums'",
    ],
    [
      'no columns',
      `${PG}targets: { ${SN(BASIC)} }\ntriggers: { t: { ${lifecycle}, ${WB()}, inbound: { columns: {}, ${BOUND} } } }`,
      'triggers.t.inbound.columns: name at least one column',
    ],
    [
      'a target that has no user name and no integration_user',
      `${PG}targets: { ${SN(API_KEY)} }\ntriggers: { t: { ${lifecycle}, ${WB()}, inbound: { columns: { s: x }, ${BOUND} } } }`,
      /^triggers\.t\.inbound\.integration_user: required/,
    ],
    [
      'a Jira target',
      `${PG}targets: { j: { type: jira, base_url: https://a.atlassian.net, project: OPS, email: a@example.com, api_token: { env: P } } }\ntriggers: { t: { ${lifecycle}, ${WB()}, inbound: { columns: { s: x }, ${BOUND} } } }`,
      'triggers.t.inbound: needs a servicenow target (j is jira)',
    ],
    [
      'no source to write the row with',
      `${CORRELATION_YAML}targets: { ${SN(BASIC)} }\ntriggers: { t: { ${lifecycle}, ${WB()}, inbound: { columns: { s: x }, ${BOUND} } } }`,
      'triggers.t.writeback.via: postgres needs source.postgres.url, which is not configured',
    ],
    [
      'a column Hasura cannot expose, written through Hasura',
      `${HASURA}targets: { ${SN(BASIC)} }\ntriggers: { t: { ${lifecycle}, ${WB('hasura')}, inbound: { columns: { "close notes": x }, ${BOUND} } } }`,
      'triggers.t.inbound.columns: "close notes" is not a GraphQL name, so Hasura cannot expose it (use via: postgres)',
    ],
  ])('when it has %s, then loading fails naming the key', (_name, yaml, problem) => {
    const problems = problemsOf(yaml);
    expect(problems).toHaveLength(1);
    if (typeof problem === 'string') expect(problems[0]).toBe(problem);
    else expect(problems[0]).toMatch(problem);
  });

  test("when integration_user is absent, then the target's user name is the bridge's own", () => {
    const path = files.write(
      'ok.yaml',
      `${PG}targets: { ${SN(BASIC)}, sn2: { type: servicenow, instance_url: https://y.service-now.com, table: sc_task, auth: ${API_KEY} } }
defaults: { target: sn }
triggers:
  a: { ${lifecycle}, ${WB()}, inbound: { columns: { s: "{{ record.state }}" }, ${BOUND} } }
  b: { target: sn2, ${lifecycle}, ${WB()}, inbound: { columns: { s: x }, integration_user: svc.api, ${BOUND} } }`,
    );
    const triggers = inboundTriggers(loadBridgeConfig({ env: { P: 'p', ...CORRELATION_ENV }, path }));
    expect(triggers.map(({ via }) => via)).toEqual(['postgres', 'postgres']);
    expect(triggers.map(({ name, table, integrationUser }) => ({ name, table, integrationUser }))).toEqual([
      { name: 'a', table: 'incident', integrationUser: 'svc' },
      { name: 'b', table: 'sc_task', integrationUser: 'svc.api' },
    ]);
  });
});

describe('settings', () => {
  test.each([
    [
      { SERVICENOW_EVENTS_SECRET_PREVIOUS: 'x'.repeat(32) },
      'SERVICENOW_EVENTS_SECRET: required when SERVICENOW_EVENTS_SECRET_PREVIOUS is set',
    ],
    [{ SERVICENOW_EVENTS_SECRET: 'x', SERVICENOW_EVENTS_AUTH: 'basic' }, /^SERVICENOW_EVENTS_AUTH: /],
  ])('when the receiver is configured as %j, then the error names the variable', (env, problem) => {
    expect(() => serviceNowEventsFromEnv(env)).toThrow(ConfigError);
    try {
      serviceNowEventsFromEnv(env);
    } catch (error) {
      expect((error as ConfigError).problems[0]).toMatch(problem);
    }
  });

  test('when no secret is set, then the receiver is off; with hmac the header defaults to the signature header', () => {
    expect(serviceNowEventsFromEnv({})).toBeUndefined();
    const config = serviceNowEventsFromEnv({
      SERVICENOW_EVENTS_SECRET: 'a'.repeat(32),
      SERVICENOW_EVENTS_AUTH: 'hmac',
    });
    expect(config).toMatchObject({ auth: 'hmac', header: 'x-servicenow-signature' });
    expect(String(config?.secrets[0])).toBe('<secret>');
  });

  test('when the reconcile interval is below 10s, then it is refused; unset, the reconciler is off', () => {
    expect(() => serviceNowReconcileFromEnv({ SERVICENOW_RECONCILE_INTERVAL: '5s' })).toThrow(/at least 10s/);
    expect(serviceNowReconcileFromEnv({})).toBeUndefined();
    expect(serviceNowReconcileFromEnv({ SERVICENOW_RECONCILE_INTERVAL: '5m' })).toEqual({ intervalMs: 300_000 });
  });
});
