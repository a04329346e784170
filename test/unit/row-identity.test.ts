import { createEventRouter } from '../../src/starting/event-routing';
import { WORKFLOW_ID_MAX_BYTES, type HasuraEvent } from '../../src/contract';
import { builtinTriggerDefaults } from '../../src/config/builtin';
import { rowKeyOf } from '../../src/mapping/row-key';
import { Secret } from '../../src/common/secret';
import { TEST_CORRELATION_SECRET } from '../helpers/correlation';

function routerFor(rowKey: string[]) {
  const defaults = { ...builtinTriggerDefaults('servicenow'), rowKey };
  defaults.lifecycle = { ...defaults.lifecycle, enabled: true };
  return createEventRouter({ defaults, triggers: {}, correlation: { secret: new Secret(TEST_CORRELATION_SECRET) } });
}

function insertOf(row: Record<string, unknown>): HasuraEvent {
  const table = { schema: 'public', name: 'assets' };
  const data = { old: null, new: row };
  const eventId = '4f9c2a7e-8b1d-4c3e-9f00-123456789abc';
  return {
    eventId,
    trigger: 'assets',
    table,
    op: 'INSERT',
    createdAt: '2026-11-27T10:00:00',
    data,
    sessionVariables: null,
  };
}

function routeOf(rowKey: string[], row: Record<string, unknown>) {
  const route = routerFor(rowKey)(insertOf(row));
  if (route.kind !== 'row') throw new Error(`not routed to a row: ${JSON.stringify(route)}`);
  return route;
}

test('when two composite keys differ only in where a slash falls, then they are two rows', () => {
  const first = routeOf(['site', 'name'], { site: 'a/b', name: 'c' });
  const second = routeOf(['site', 'name'], { site: 'a', name: 'b/c' });
  expect(first.rowKey).not.toBe(second.rowKey);
  expect(first.rowCorrelationId).not.toBe(second.rowCorrelationId);
  expect(first.rowWorkflowId).not.toBe(second.rowWorkflowId);
  // An escape in a value is escaped too: no value can imitate another's encoding.
  expect(rowKeyOf({ site: 'a%2Fb', name: 'c' }, ['site', 'name'])).not.toBe(first.rowKey);
});

test('when a key has no slash or percent sign, then it reads as it always did (running rows keep their ids)', () => {
  expect(rowKeyOf({ site: 'berlin', name: 'db-1' }, ['site', 'name'])).toBe('berlin/db-1');
  expect(rowKeyOf({ id: 'a/b%c' }, ['id'])).toBe('a/b%c');
  expect(routeOf(['id'], { id: 7 }).rowWorkflowId).toBe('row-assets-public.assets-7');
});

test('when a row key is long or multi-byte, then the workflow id stays within Temporal’s limit and unique', () => {
  const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
  const long = routeOf(['id'], { id: 'k'.repeat(5_000) });
  const wide = routeOf(['id'], { id: '键'.repeat(400) });
  const other = routeOf(['id'], { id: `${'k'.repeat(4_999)}x` });
  for (const route of [long, wide, other])
    expect(bytes(route.rowWorkflowId)).toBeLessThanOrEqual(WORKFLOW_ID_MAX_BYTES);
  expect(long.rowWorkflowId).not.toBe(other.rowWorkflowId);
  expect(long.rowKey).toHaveLength(5_000);
});
