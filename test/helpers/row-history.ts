import type { HasuraOp, Row, RowEvent } from '../../src/contract';
import { toRowEvent } from '../../src/mapping/row-images';
import { RowOrder } from '../../src/workflows/row-order';

/** One row's changes as Hasura reports them: each change's `old` is the image the previous one left. */
export class RowHistory {
  private serial = 0;
  private current: Row | null = null;
  private second = 0;

  constructor(private readonly prefix: string) {}

  /** The next change, stamped `createdAt` (Hasura's zone-less text); one not delivered leaves a gap. */
  change(op: HasuraOp, row: Row | null, createdAt: string): RowEvent {
    this.serial += 1;
    const old = op === 'INSERT' ? null : this.current;
    this.current = row;
    const eventId = `${this.prefix}-0000-4000-8000-${String(this.serial).padStart(12, '0')}`;
    const table = { schema: 'public', name: 'incident_request' };
    return toRowEvent({
      eventId,
      trigger: 'tr',
      table,
      op,
      createdAt,
      data: { old, new: row },
      sessionVariables: null,
    });
  }

  /** The next change, one second after the previous one `next` made. */
  next(op: HasuraOp, row: Row | null): RowEvent {
    return this.change(op, row, stampAt((this.second += 1)));
  }
}

/** `seconds` after 2026-03-01T00:00:00 as Hasura writes created_at (no zone). */
export const stampAt = (seconds: number): string =>
  new Date(Date.parse('2026-03-01T00:00:00Z') + seconds * 1000).toISOString().replace('Z', '');

/** One batch as a row run decides it: the deliveries, then the newest change applied. */
export function deliverBatch(order: RowOrder, events: RowEvent[]): void {
  for (const event of events) order.add(event);
  const next = order.decide();
  if (next) order.consumed(next);
}

/** A fresh run's order after `events` arrived one delivery each, in this order. */
export function deliverOneByOne(events: RowEvent[]): RowOrder {
  const order = new RowOrder(undefined);
  for (const event of events) deliverBatch(order, [event]);
  return order;
}
