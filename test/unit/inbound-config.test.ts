import { ConfigError } from '../../src/common/config-error';
import { loadBridgeConfig } from '../../src/settings/file/load';
import { configDir } from '../fixtures/config/write-config';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CORRELATION_ENV, CORRELATION_YAML } from '../helpers/correlation';

/* Issue 14 review: inbound columns that the bridge writes otherwise, and the ticket column that binds a row. */
const HEAD = `source: { postgres: { url: { env: P } } }
${CORRELATION_YAML}targets: { sn: { type: servicenow, instance_url: https://x.service-now.com, auth: { type: basic, username: svc, password: { env: P } } } }
triggers:
  t:
    row_key: [id]
    lifecycle: { enabled: true }
`;
const WRITEBACK = `    writeback: { via: postgres, columns: { ticket_sys_id: "{{ ticket.id }}", ticket_number: "{{ ticket.number }}" }, error_columns: { ticket_error: "{{ error.message }}" } }\n`;
const BOUND = 'ticket_column: ticket_sys_id';
const files = configDir();
afterAll(() => files.remove());

const load = (yaml: string) =>
  loadBridgeConfig({ env: { P: 'p', ...CORRELATION_ENV }, path: files.write('inbound.yaml', yaml) });

function problemsOf(yaml: string): string[] {
  try {
    load(yaml);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the config loaded, but it should have been refused');
}

test.each([
  [
    'a row_key column',
    `${HEAD}${WRITEBACK}    inbound: { columns: { id: "{{ record.number }}" }, ${BOUND} }`,
    'triggers.t.inbound.columns.id: is a row_key column, which inbound never writes',
  ],
  [
    'a write-back column',
    `${HEAD}${WRITEBACK}    inbound: { columns: { ticket_number: "{{ record.number }}" }, ${BOUND} }`,
    'triggers.t.inbound.columns.ticket_number: is also writeback.columns.ticket_number; a column has one writer (remove one)',
  ],
  [
    'a write-back error column',
    `${HEAD}${WRITEBACK}    inbound: { columns: { ticket_error: "{{ record.state }}" }, ${BOUND} }`,
    'triggers.t.inbound.columns.ticket_error: is also writeback.error_columns.ticket_error; a column has one writer (remove one)',
  ],
  [
    'a ticket column the write-back does not write',
    `${HEAD}${WRITEBACK}    inbound: { columns: { status: x }, ticket_column: ticket_ref }`,
    'triggers.t.inbound.ticket_column: "ticket_ref" must be a writeback.columns column written as "{{ ticket.id }}" (the row holds its ticket\'s sys_id there)',
  ],
  [
    'a ticket column holding something else than the sys_id',
    `${HEAD}${WRITEBACK}    inbound: { columns: { status: x }, ticket_column: ticket_number }`,
    'triggers.t.inbound.ticket_column: "ticket_number" must be a writeback.columns column written as "{{ ticket.id }}" (the row holds its ticket\'s sys_id there)',
  ],
])('when an inbound trigger names %s, then loading fails naming the key', (_name, yaml, problem) => {
  expect(problemsOf(yaml)).toEqual([problem]);
});

/* Review 14 R2: without the ticket column a row deleted and inserted again got its old ticket's changes. */
const TICKET_COLUMN_REQUIRED =
  'required: the writeback.columns column written as "{{ ticket.id }}" (an inbound write changes only the row ' +
  "holding the changed record's sys_id there)";

test.each([
  ['a trigger', `${HEAD}${WRITEBACK}    inbound: { columns: { status: x } }`, 'triggers.t.inbound.ticket_column'],
  [
    'the defaults',
    `${HEAD.slice(0, HEAD.indexOf('triggers:'))}defaults:
  lifecycle: { enabled: true }
${WRITEBACK.slice(2)}  inbound: { columns: { status: x } }
triggers: { t: {} }`,
    'defaults.inbound.ticket_column',
  ],
])('when the inbound section of %s names no ticket_column, then loading fails naming the key', (_name, yaml, key) => {
  expect(problemsOf(yaml)).toEqual([`${key}: ${TICKET_COLUMN_REQUIRED}`]);
});

test('when the ticket column is written as the sys_id, then the trigger carries it', () => {
  const config = load(`${HEAD}${WRITEBACK}    inbound: { columns: { status: x }, ticket_column: ticket_sys_id }`);
  expect(config.triggers.t.inbound).toMatchObject({ columns: { status: 'x' }, ticketColumn: 'ticket_sys_id' });
});

test("when the README's writeback.table example is loaded (with its source and target), then it binds rows by ticket_sys_id", () => {
  const readme = readFileSync(path.resolve(__dirname, '..', '..', 'README.md'), 'utf8');
  const block = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((m) => m[1])
    .find((t) => t.includes('ticket_column:') && t.includes('table: public.incident_request'));
  const head = HEAD.slice(0, HEAD.indexOf('triggers:'));
  const lookups = 'lookups: { sn_state_to_status: { "6": resolved } }\n';
  const config = load(`${head}${lookups}${block}`);
  expect(config.triggers.incident_lifecycle.inbound?.ticketColumn).toBe('ticket_sys_id');
  expect(config.triggers.incident_lifecycle.writeback?.table).toEqual({ schema: 'public', name: 'incident_request' });
});

test("when the README's step-1 inbound example is loaded (with its target), then it loads, bound by ticket_sys_id", () => {
  const readme = readFileSync(path.resolve(__dirname, '..', '..', 'README.md'), 'utf8');
  const block = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((m) => m[1].replace(/^ {3}/gm, ''))
    .find((t) => t.includes('inbound:') && t.includes('SOURCE_DATABASE_URL'));
  const targets = HEAD.slice(HEAD.indexOf('targets:'), HEAD.indexOf('triggers:'));
  const config = load(`${targets}${block}`.replace('env: SOURCE_DATABASE_URL', 'env: P'));
  expect(config.triggers.incident_lifecycle.inbound?.ticketColumn).toBe('ticket_sys_id');
});
