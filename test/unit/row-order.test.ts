import type { HasuraOp, Row, RowEvent, RowState } from '../../src/contract';
import { canonicalJson, toRowEvent } from '../../src/mapping/row-images';
import { instantKey } from '../../src/workflows/row-chain';
import { RowOrder } from '../../src/workflows/row-order';

/*
 * The row workflow's ordering decisions, played over real PostgreSQL histories delivered in every
 * order, each event twice, one event per batch and all in one batch, with the state carried
 * through JSON between batches as continue-as-new and the idle finish carry it.
 */

interface Step {
  op: HasuraOp;
  /** The row after the change; null for a DELETE. */
  row: Row | null;
  /** created_at: the transaction's start. */
  at: string;
}

/**
 * The events of a history, with event ids that sort against the truth: a tie on created_at broken
 * by event id always picks the wrong event, so only the images can get it right.
 */
function eventsOf(steps: Step[]): RowEvent[] {
  let current: Row | null = null;
  return steps.map((step, index) => {
    const old = step.op === 'INSERT' || step.op === 'MANUAL' ? null : current;
    if (step.op !== 'MANUAL') current = step.row;
    const eventId = `00000000-0000-4000-8000-${String(999 - index).padStart(12, '0')}`;
    const table = { schema: 'public', name: 'incident_request' };
    const data = { old, new: step.op === 'DELETE' ? null : step.row };
    return toRowEvent({ eventId, trigger: 'tr', table, op: step.op, createdAt: step.at, data, sessionVariables: null });
  });
}

const endOf = (event: RowEvent | undefined) =>
  !event ? 'nothing' : event.op === 'DELETE' ? 'deleted' : canonicalJson(event.data.new);

/** Plays deliveries in batches; returns the row as the ticket last showed it. */
function play(deliveries: RowEvent[], batchSize: number): string {
  let state: RowState | undefined;
  let shown: RowEvent | undefined;
  for (let start = 0; start < deliveries.length; start += batchSize) {
    const order = new RowOrder(state);
    for (const event of deliveries.slice(start, start + batchSize)) order.add(event);
    const next = order.decide();
    if (next) {
      order.consumed(next);
      shown = next;
    }
    state = JSON.parse(JSON.stringify({ seen: [], pending: [], applied: 0, skipped: 0, order: order.state }));
  }
  return endOf(shown);
}

/** Every distinct order of the multiset (each event twice). */
function* orders(items: RowEvent[]): Generator<RowEvent[]> {
  if (items.length === 0) return yield [];
  const tried = new Set<string>();
  for (const [index, item] of items.entries()) {
    if (tried.has(item.eventId)) continue;
    tried.add(item.eventId);
    for (const rest of orders([...items.slice(0, index), ...items.slice(index + 1)])) yield [item, ...rest];
  }
}

function expectEveryOrderEndsAt(events: RowEvent[], end: string): void {
  let played = 0;
  for (const order of orders([...events, ...events])) {
    for (const batchSize of [1, 3, order.length]) {
      const result = play(order, batchSize);
      if (result !== end)
        throw new Error(`order ${order.map((e) => e.op).join(',')} in batches of ${batchSize}: ${result}`);
      played += 1;
    }
  }
  expect(played).toBeGreaterThan(0);
}

const v1 = { id: 7, title: 'Disk almost full', priority: 'low' };
const v2 = { ...v1, priority: 'high' };
const v3 = { ...v2, title: 'Disk full' };
const T = (seconds: number) => `2026-11-27T10:00:0${seconds}.100000`;

test('when an INSERT and an UPDATE share a transaction (same created_at), then every order ends at the UPDATE', () => {
  const events = eventsOf([
    { op: 'INSERT', row: v1, at: T(1) },
    { op: 'UPDATE', row: v2, at: T(1) },
  ]);
  expectEveryOrderEndsAt(events, canonicalJson(v2));
});

test('when an UPDATE and a DELETE share a transaction, then every order ends deleted', () => {
  const events = eventsOf([
    { op: 'INSERT', row: v1, at: T(1) },
    { op: 'UPDATE', row: v2, at: T(2) },
    { op: 'DELETE', row: null, at: T(2) },
  ]);
  expectEveryOrderEndsAt(events, 'deleted');
});

test('when a transaction began first but wrote last, then its change is the newest in every order', () => {
  const events = eventsOf([
    { op: 'INSERT', row: v1, at: T(1) },
    { op: 'UPDATE', row: v2, at: T(3) },
    { op: 'UPDATE', row: v3, at: T(2) },
  ]);
  expectEveryOrderEndsAt(events, canonicalJson(v3));
});

test('when a row is deleted and its key inserted again, then every order ends at the new row', () => {
  const reborn = { id: 7, title: 'Fan noise', priority: 'medium' };
  const separate = eventsOf([
    { op: 'INSERT', row: v1, at: T(1) },
    { op: 'DELETE', row: null, at: T(3) },
    // The re-INSERT's transaction began before the DELETE's and waited for its row lock.
    { op: 'INSERT', row: reborn, at: T(2) },
  ]);
  expectEveryOrderEndsAt(separate, canonicalJson(reborn));
  const oneTransaction = eventsOf([
    { op: 'INSERT', row: v1, at: T(1) },
    { op: 'UPDATE', row: v2, at: T(1) },
    { op: 'DELETE', row: null, at: T(2) },
    { op: 'INSERT', row: reborn, at: T(2) },
  ]);
  expectEveryOrderEndsAt(oneTransaction, canonicalJson(reborn));
});

test('when the chain has a gap (a change no event reported), then created_at places the pieces', () => {
  const steps: Step[] = [
    { op: 'INSERT', row: v1, at: T(1) },
    { op: 'UPDATE', row: v2, at: T(2) },
    { op: 'UPDATE', row: v3, at: T(3) },
    { op: 'DELETE', row: null, at: T(4) },
  ];
  const events = eventsOf(steps);
  expectEveryOrderEndsAt([events[0], events[2], events[3]], 'deleted');
  expectEveryOrderEndsAt([events[0], events[2]], canonicalJson(v3));
});

test('when a MANUAL invocation sits between changes, then it never hides the change after it', () => {
  const events = eventsOf([
    { op: 'INSERT', row: v1, at: T(1) },
    { op: 'MANUAL', row: v1, at: T(5) },
    { op: 'UPDATE', row: v2, at: T(1) },
  ]);
  expectEveryOrderEndsAt(events, canonicalJson(v2));
});

/** A small seeded generator: the shuffles are the same on every run. */
function shuffled<T>(items: T[], seed: number): T[] {
  const copy = [...items];
  let state = seed;
  for (let i = copy.length - 1; i > 0; i -= 1) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

test('when 50 updates of one row in one transaction arrive shuffled and twice, then the ticket ends at the last', () => {
  const steps: Step[] = [{ op: 'INSERT', row: { id: 7, n: 0 }, at: T(1) }];
  for (let n = 1; n <= 50; n += 1) steps.push({ op: 'UPDATE', row: { id: 7, n }, at: T(1) });
  const events = eventsOf(steps);
  for (let seed = 1; seed <= 40; seed += 1) {
    const deliveries = shuffled([...events, ...events], seed);
    for (const batchSize of [1, 7, deliveries.length])
      expect(play(deliveries, batchSize)).toBe(canonicalJson({ id: 7, n: 50 }));
  }
});

test('when a key is deleted and inserted again twice, then shuffled deliveries end at the third life', () => {
  const life = (n: number) => ({ id: 7, life: n });
  const events = eventsOf([
    { op: 'INSERT', row: life(1), at: T(1) },
    { op: 'DELETE', row: null, at: T(4) },
    { op: 'INSERT', row: life(2), at: T(3) },
    { op: 'UPDATE', row: { ...life(2), edited: true }, at: T(3) },
    { op: 'DELETE', row: null, at: T(5) },
    { op: 'INSERT', row: life(3), at: T(2) },
  ]);
  for (let seed = 1; seed <= 200; seed += 1) {
    const deliveries = shuffled([...events, ...events], seed);
    for (const batchSize of [1, 2, deliveries.length]) expect(play(deliveries, batchSize)).toBe(canonicalJson(life(3)));
  }
});

test('when created_at carries a zone offset, then it is converted to UTC, not stripped', () => {
  expect(instantKey('2026-11-27T12:00:01.5+02:00')).toBe('2026-11-27T10:00:01.500000000Z');
  expect(instantKey('2026-11-27T10:00:01.5')).toBe(instantKey('2026-11-27T10:00:01.500Z'));
  expect(instantKey('2026-11-27T08:30:00-0230')).toBe('2026-11-27T11:00:00.000000000Z');
  expect(instantKey('2026-11-27T12:00:01+02:00') < instantKey('2026-11-27T10:00:02')).toBe(true);
});

test('when 40 changes with gaps between them are held (over the old 32), then every one stays held until its successor arrives', () => {
  // Every other change of an 80-change history: each delivered one's successor is missing, so none is superseded.
  const all = eventsOf(
    Array.from({ length: 80 }, (_, k) => ({ op: 'UPDATE', row: { ...v1, title: `v${k}` }, at: T(1) })),
  );
  const delivered = all.filter((_, k) => k % 2 === 0);
  const order = new RowOrder(undefined);
  for (const event of delivered) order.add(event);
  order.decide();
  const held = () => order.state.held.map((event) => event.eventId).sort();
  expect(held()).toEqual(delivered.map((event) => event.eventId).sort());
  // The first one's successor arrives: both are superseded (the successor's own successor is held); the rest stay.
  order.add(all[1]);
  order.decide();
  expect(held()).toEqual(
    delivered
      .slice(1)
      .map((event) => event.eventId)
      .sort(),
  );
});
