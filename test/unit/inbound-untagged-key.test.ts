import { WorkflowNotFoundError } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createInboundActivities } from '../../src/activities/inbound';
import { createLogger } from '../../src/logging';
import { loadBridgeConfig } from '../../src/settings/file/load';
import type { RowWriter } from '../../src/source/row-writer';
import { configDir } from '../fixtures/config/write-config';
import { CORRELATION_ENV, rowTicketKey } from '../helpers/correlation';
import { boundInboundYaml } from '../helpers/inbound-yaml';

/*
 * Issue 14 review (2), the inbound half: untagged tickets are still created after correlation.legacy_before, by
 * row runs started before the upgrade (their input keeps the old key across continue-as-new) and by routes of a
 * webhook not yet upgraded. Their changes were dropped without a trace, though the row's ticket column holds
 * their sys_id. The key only locates the row; the ticket column decides, whatever the key's tag.
 */
const files = configDir();
afterAll(() => files.remove());

const LEGACY = 'correlation: { secret: { env: BRIDGE_CORRELATION_SECRET }, legacy_before: "2026-12-01T00:00:00Z" }\n';
const YAML = boundInboundYaml([{ name: 'orders', table: 'public.orders' }], LEGACY);
const SYS_ID = '0123456789abcdef0123456789abcdef';
const OTHER = 'fedcba9876543210fedcba9876543210';
const UNTAGGED = 'orders:public.orders:1';
const FOREIGN_TAG = rowTicketKey('orders', 'public.orders', 1, 'another-secret-of-at-least-32-bytes!!');

/** The change of SYS_ID, its record keyed `correlationId` and created after the upgrade; the row holds `column`. */
async function decide(correlationId: string, column: string) {
  const config = loadBridgeConfig({ env: { P: 'p', ...CORRELATION_ENV }, path: files.write('c.yaml', YAML) });
  const writer = { read: async () => ({ ticket_sys_id: column }) } as unknown as RowWriter;
  const sn = {
    readRecord: async () => ({
      ...{ sys_id: SYS_ID, number: 'INC1', sys_mod_count: 3, state: '2', sys_updated_by: 'agent' },
      ...{ correlation_id: correlationId, sys_created_on: '2026-12-02 10:00:00' },
    }),
  };
  const gone = async () => {
    throw new WorkflowNotFoundError('gone', 'row', undefined);
  };
  const client = { workflow: { getHandle: () => ({ describe: gone }) } };
  const lines: string[] = [];
  const logger = createLogger({ level: 'warn', destination: { write: (line: string) => lines.push(line) } });
  const deps = { targets: { sn }, config, writers: { postgres: writer }, client, logger };
  const activities = createInboundActivities(deps as never);
  const change = { table: 'incident', sysId: SYS_ID, modCount: 3 };
  const decision = await new MockActivityEnvironment().run(activities.readServiceNowChange, change);
  return { decision, warnings: lines.map((line) => JSON.parse(line) as { level: number; msg: string }) };
}

test.each([
  ['untagged, created after legacy_before', UNTAGGED],
  ['tagged with another secret', FOREIGN_TAG],
])('when the key is %s and the row holds the ticket, then the change is written', async (_form, key) => {
  const { decision } = await decide(key, SYS_ID);
  expect(decision).toMatchObject({ kind: 'write', write: { key: { id: '1' }, onlyIf: { ticket_sys_id: SYS_ID } } });
});

test('when an untagged key names a row holding another ticket, then the change is ignored, says why, and warns', async () => {
  const { decision, warnings } = await decide(UNTAGGED, OTHER);
  const why = expect.stringMatching(new RegExp(`holds ${OTHER} in ticket_sys_id.*not signed`));
  expect({ decision, warnings }).toMatchObject({
    decision: { kind: 'ignore', reason: why },
    warnings: [{ level: 40, msg: why }],
  });
});
