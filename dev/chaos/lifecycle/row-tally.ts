import { randomUUID } from 'node:crypto';
import { parse, stringify } from 'lossless-json';
import { parseHasuraJson } from '../../../src/hasura/exact-json';
import { toWorkflowEvent } from '../../../src/starting/event-starter';
import { hasuraEventSchema } from '../../../src/hasura/event-schema';
import { rowTicketKeyFor, type CorrelationConfig } from '../../../src/common/correlation-tag';
import type { EventMapper } from '../../../src/mapping/mapper';
import type { SimRecord } from '../../simulator/servicenow/server';
import { hasuraEventBody } from '../hasura-deliverer';
import type { ChaosEvent } from '../deliveries';
import type { CapturedChange, CapturedHistories } from './row-histories';

export const LIFECYCLE_TRIGGER = 'incident_lifecycle';
const TABLE = 'public.incident_request';
/** ServiceNow incident states: Resolved, Closed, Canceled (how the late-duplicate check retires a duplicate). */
const RESOLVED = '6';
const CLOSED_STATES = new Set(['6', '7', '8']);
const CANCELED = '8';

/** The body Hasura posts for one captured change; row images keep every digit (lossless-json numbers). */
function bodyOf(change: CapturedChange): Record<string, unknown> {
  const image = (text: string | null) => (text === null ? null : (parse(text) as Record<string, unknown>));
  const body = hasuraEventBody({
    trigger: LIFECYCLE_TRIGGER,
    op: change.op,
    id: change.id,
    old: image(change.old),
    new: image(change.new),
  });
  return { ...body, created_at: change.createdAt };
}

export function lifecycleEvents(histories: CapturedHistories): ChaosEvent[] {
  return histories.changes.map((change) => ({ id: change.id, trigger: LIFECYCLE_TRIGGER, body: bodyOf(change) }));
}

export interface RowTally {
  rows: number;
  deleted: number;
  /** Rows deleted and inserted again (a second life). */
  reborn: number;
  /** Rows whose ticket is as the row ended. */
  right: number;
  /** One line per row whose ticket is not. */
  wrong: string[];
  cancelledDuplicates: number;
}

/** The fields the worker renders when it creates a ticket from `image`, read as the webhook reads a body. */
async function expectedFields(mapper: EventMapper, image: string): Promise<Record<string, string>> {
  const body = bodyOf({
    seq: 0,
    id: randomUUID(),
    op: 'INSERT',
    old: null,
    new: image,
    createdAt: '2026-01-01T00:00:00',
  });
  return mapper.fields(toWorkflowEvent(hasuraEventSchema.parse(parseHasuraJson(stringify(body) ?? ''))), 'fields');
}

function keyOf(change: CapturedChange): string {
  const image = parseHasuraJson(change.new ?? change.old ?? '{}') as { id?: unknown };
  return String(image.id);
}

/** Judges each row from the simulator's records: one active ticket, as the row ended (resolved when deleted). */
export async function tallyRows(
  histories: CapturedHistories,
  records: SimRecord[],
  mapper: EventMapper,
  correlation: CorrelationConfig | undefined,
): Promise<RowTally> {
  if (!correlation) throw new Error('the lifecycle config has no correlation.secret');
  const active = new Map<string, SimRecord[]>();
  let cancelledDuplicates = 0;
  for (const record of records) {
    if (record.state === CANCELED) cancelledDuplicates += 1;
    else active.set(record.correlation_id, [...(active.get(record.correlation_id) ?? []), record]);
  }
  const lastOf = new Map<string, CapturedChange>();
  const inserts = new Map<string, number>();
  for (const change of histories.changes) {
    lastOf.set(keyOf(change), change);
    if (change.op === 'INSERT') inserts.set(keyOf(change), (inserts.get(keyOf(change)) ?? 0) + 1);
  }
  const tally: RowTally = { rows: 0, deleted: 0, reborn: 0, right: 0, wrong: [], cancelledDuplicates };
  for (const { key, finalRow } of histories.rows) {
    tally.rows += 1;
    if (!finalRow) tally.deleted += 1;
    if ((inserts.get(key) ?? 0) > 1) tally.reborn += 1;
    const image = finalRow ?? lastOf.get(key)?.old;
    const tickets =
      active.get(rowTicketKeyFor(correlation, { trigger: LIFECYCLE_TRIGGER, table: TABLE, rowKey: key })) ?? [];
    const problem = image ? ticketProblem(tickets, !finalRow, await expectedFields(mapper, image)) : 'no history';
    if (problem) tally.wrong.push(`row ${key}: ${problem}`);
    else tally.right += 1;
  }
  return tally;
}

function ticketProblem(tickets: SimRecord[], deleted: boolean, expected: Record<string, string>): string | undefined {
  if (tickets.length !== 1) return `${tickets.length} active tickets`;
  const [ticket] = tickets;
  if (deleted && ticket.state !== RESOLVED) return `deleted, but its ticket is in state ${ticket.state}`;
  if (!deleted && CLOSED_STATES.has(ticket.state)) return `exists, but its ticket is closed (state ${ticket.state})`;
  const differs = Object.entries(expected).filter(([field, value]) => ticket[field] !== value);
  if (differs.length === 0) return undefined;
  return differs
    .map(([field, value]) => `${field} is ${JSON.stringify(ticket[field])}, not ${JSON.stringify(value)}`)
    .join('; ');
}

/** What the captured histories hold, so a run proves it met each pattern the ordering must survive. */
export function historyShape(histories: CapturedHistories) {
  const previous = new Map<string, CapturedChange>();
  const shape = { sameTransaction: 0, beganFirstWroteLast: 0, keysPast2To53: 0 };
  for (const change of histories.changes) {
    const before = previous.get(keyOf(change));
    if (before?.createdAt === change.createdAt) shape.sameTransaction += 1;
    if (before && change.createdAt < before.createdAt) shape.beganFirstWroteLast += 1;
    previous.set(keyOf(change), change);
  }
  shape.keysPast2To53 = histories.rows.filter(({ key }) => BigInt(key) > 2n ** 53n).length;
  return shape;
}
