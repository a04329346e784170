import { ROW_IMAGE_BYTES_LIMIT, type HasuraOp, type Row, type RowEvent, type RowState } from '../../src/contract';
import { toRowEvent } from '../../src/mapping/row-images';
import { carriedState } from '../../src/workflows/row-carry';
import { RowOrder } from '../../src/workflows/row-order';

/*
 * Review 12b: a held event that is dropped to fit a bound is lost for good when it is (or later turns out to
 * be) the row's newest change: its links stay, so decide() picks it as the newest, finds no held event with its
 * id and applies nothing; its own event workflow completed as forwarded, so nothing re-delivers it.
 */

const table = { schema: 'public', name: 'incident_request' };

function event(id: number, op: HasuraOp, at: string, old: Row | null, row: Row | null): RowEvent {
  const eventId = `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`;
  return toRowEvent({
    eventId,
    trigger: 'tr',
    table,
    op,
    createdAt: at,
    data: { old, new: row },
    sessionVariables: null,
  });
}

/** A carried state as the run's snapshot makes it, through JSON as continue-as-new and the memo carry it. */
function carried(order: RowOrder, lastApplied: RowEvent): RowState {
  const state: RowState = {
    seen: [],
    pending: [],
    applied: 1,
    skipped: 0,
    lastRow: lastApplied.data.new ?? undefined,
    lastRowDigest: lastApplied.images!.after,
    order: order.state,
  };
  return JSON.parse(JSON.stringify(carriedState(state))) as RowState;
}

test('review12b: when changes arrive during the ticket call newest-in-the-chain first, then the carried state still lets the next run apply the newest', () => {
  const big = (version: number): Row => ({
    id: 7,
    title: `v${version}`,
    blob: 'x'.repeat(ROW_IMAGE_BYTES_LIMIT - 100),
  });
  const at = (second: number) => `2026-12-02T10:00:0${second}.000000`;
  const [u1, u2, u3, u4] = [1, 2, 3, 4].map((k) => event(k, 'UPDATE', at(k), big(k - 1), big(k)));
  const run = new RowOrder(undefined);
  run.add(u1);
  expect(run.decide()?.eventId).toBe(u1.eventId);
  // Delivered while u1's ticket call runs (Hasura retries reorder): the chain's newest first.
  for (const late of [u4, u2, u3]) run.add(late);
  run.consumed(u1);
  // The run's history passed its limit: it continues as new; the next run decides the three.
  const next = new RowOrder(carried(run, u1));
  expect(next.decide()?.eventId).toBe(u4.eventId);
});

test('review12b: when a DELETE and the re-INSERT of its transaction arrive before the first INSERT, with ~140 KiB rows, then the re-INSERT is still applied', () => {
  const row = (name: string): Row => ({ id: 7, title: name, blob: 'y'.repeat(140 * 1024) });
  // DELETE and re-INSERT in one transaction (equal created_at); the tie on event id puts the DELETE last.
  const first = event(1, 'INSERT', '2026-12-02T10:00:01.000000', null, row('a'));
  const deleted = event(3, 'DELETE', '2026-12-02T10:00:02.000000', row('a'), null);
  const again = event(2, 'INSERT', '2026-12-02T10:00:02.000000', null, row('b'));
  const run = new RowOrder(undefined);
  run.add(deleted);
  run.add(again);
  // Without the first INSERT: the key existed until the DELETE, and the re-INSERT is stamped since, so it follows.
  const applied = run.decide()!;
  expect(applied.eventId).toBe(again.eventId);
  run.consumed(applied);
  run.add(first);
  // The first INSERT's arrival changes nothing: the row exists, its ticket stays at the re-INSERT.
  expect(run.decide()).toBeUndefined();
  expect(run.applied?.id).toBe(again.eventId);
});
