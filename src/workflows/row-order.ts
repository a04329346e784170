import type { ChainLink, RowEvent, RowOrderState, RowState } from '../contract';
import { chainOrder, instantKey } from './row-chain';

/**
 * Before this patch a run kept at most 32 open held events within 256 K characters (and carried the newest by
 * arrival): a dropped one that was or became the row's newest was lost, the ticket stayed behind the row. With it
 * only superseded events leave (openHeads). Asked at run start (./row-run.ts).
 */
export const KEEP_OPEN_HEADS_PATCH = '12-keep-open-heads';

/**
 * Review s7: since the webhook signals row runs, add() is the only redelivery check, and links keep the newest 200
 * changes: an older change redelivered was placed again as new (an INSERT after the last DELETE reopened the ticket)
 * or held for good. With this patch the ids of forgotten links are remembered too (FORGOTTEN_LIMIT). Asked at run
 * start (./row-run.ts).
 */
export const REMEMBER_FORGOTTEN_PATCH = '16-review-remember-forgotten';

/**
 * Review s7b: past the remembered ids a redelivered first INSERT followed the key's last DELETE by the life edge and
 * reopened a deleted row's ticket (scheduled catch-up re-sent given-up events at every sweep). With this patch an
 * unknown INSERT stamped before a forgotten change (forgottenFloor) is taken for a redelivery and dropped: a
 * new INSERT is stamped that early only if its transaction began before a change that has since left the 200 links
 * (a transaction open across hundreds of changes of the row and its DELETE). Asked at run start (./row-run.ts).
 */
export const LIVES_AND_FLOOR_PATCH = '12-review-lives-and-floor';

/** What a run decided by the patches it asked at its start (./row-run.ts); a new run has them all. */
export interface RowOrderRules {
  /** KEEP_OPEN_HEADS_PATCH: held events are forgotten only when superseded (openHeads), never to fit a bound. */
  keepOpenHeads: boolean;
  /** REMEMBER_FORGOTTEN_PATCH: the ids of forgotten links are still known as delivered. */
  rememberForgotten: boolean;
  /** LIVES_AND_FLOOR_PATCH. */
  livesAndFloor: boolean;
}

const CURRENT_RULES: RowOrderRules = { keepOpenHeads: true, rememberForgotten: true, livesAndFloor: true };

/** Changes remembered to place late deliveries; older ones are placed by created_at alone. */
const LINK_LIMIT = 200;
/** Whole events kept while their place is open: they bound the state that continue-as-new and the memo carry. */
const HELD_LIMIT = 32;
const HELD_CHARACTERS = 256 * 1024;
/**
 * Ids of forgotten changes still recognised as delivered: 4096 ids of 36 characters stay under 160 KiB of the carried
 * state. A redelivery older than that (Hasura retries for hours, not for thousands of changes) is placed as new.
 */
const FORGOTTEN_LIMIT = 4096;

export function linkOf(event: RowEvent): ChainLink {
  const { images } = event;
  return {
    id: event.eventId,
    op: event.op,
    at: instantKey(event.createdAt),
    before: images?.before,
    after: images?.after,
  };
}

/** A run from before issue 12 remembered only what it applied; its pending events are placed like new ones. */
function fromLegacy(state: RowState | undefined, seenAreKnown: boolean): RowOrderState {
  const applied = state?.lastApplied;
  if (!applied) return { links: [], held: [], received: 0 };
  const link: ChainLink = { id: applied.eventId, op: applied.op, at: instantKey(applied.createdAt) };
  // Its `seen` ids were received: a redelivery of one is known (review s7b; runs from LIVES_AND_FLOOR_PATCH on).
  const seen = seenAreKnown ? (state?.seen ?? []) : [];
  const pending = new Set((state?.pending ?? []).map((event) => event.eventId));
  const forgotten = seen.filter((id) => id !== link.id && !pending.has(id)).slice(-FORGOTTEN_LIMIT);
  return { links: [link], held: [], appliedId: link.id, received: 0, forgotten };
}

/**
 * A row's events in the database's order (./row-chain.ts), remembered across batches and runs: each
 * decision brings the ticket to the newest change known, so whatever the delivery order, the ticket
 * ends as the row ends once every change has arrived.
 */
export class RowOrder {
  readonly state: RowOrderState;

  /** Without keepOpenHeads the newest 32 open held events within 256 K characters were kept, a dropped one lost. */
  constructor(
    state: RowState | undefined,
    private readonly rules: RowOrderRules = CURRENT_RULES,
  ) {
    this.state = state?.order ?? fromLegacy(state, rules.livesAndFloor);
    for (const event of state?.order ? [] : (state?.pending ?? [])) this.add(event);
  }

  get waiting(): number {
    return this.state.unsettled ?? 0;
  }

  get applied(): ChainLink | undefined {
    return this.state.links.find((link) => link.id === this.state.appliedId);
  }

  /** Remembers a delivery; false for a redelivery of a known event. */
  add(event: RowEvent): boolean {
    const { links, held } = this.state;
    if (links.some((link) => link.id === event.eventId)) return false;
    if (this.rules.rememberForgotten && this.state.forgotten?.includes(event.eventId)) return false;
    if (this.rules.livesAndFloor && this.belowFloor(event)) return false;
    links.push(linkOf(event));
    held.push(event);
    this.state.received += 1;
    this.state.unsettled = this.waiting + 1;
    if (links.length > 2 * LINK_LIMIT || held.length > 2 * HELD_LIMIT) this.compact();
    return true;
  }

  /** The row's newest known change when the ticket does not show it yet. */
  decide(): RowEvent | undefined {
    this.state.unsettled = 0;
    const newest = this.compact();
    if (!newest || newest.id === this.state.appliedId) return undefined;
    return this.state.held.find((event) => event.eventId === newest.id);
  }

  /** The ticket now shows `event` (or an operator gave it up): older deliveries are stale. */
  consumed(event: RowEvent): void {
    this.state.appliedId = event.eventId;
  }

  /** The held events in the database's order (oldest first), superseded ones forgotten: what a run carries. */
  settled(): RowEvent[] {
    this.compact();
    return this.state.held;
  }

  /** Orders what is remembered and forgets what can no longer matter; returns the newest change. */
  private compact(): ChainLink | undefined {
    const before = this.state.links;
    const newest = this.reorder();
    if (this.rules.rememberForgotten) this.forget(before);
    return newest;
  }

  /**
   * Stamped before a forgotten change and before every remembered one: a compaction that dropped a fresh change the
   * chain placed early must not make a just-stamped INSERT look old. A state that forgot ids before it kept a floor
   * (carried from a run before the patch, or a legacy `seen` list) is bounded by the remembered changes alone.
   */
  private belowFloor(event: RowEvent): boolean {
    const { forgottenFloor, forgotten, links } = this.state;
    if (event.op !== 'INSERT' || (forgottenFloor === undefined && !forgotten?.length)) return false;
    const at = instantKey(event.createdAt);
    return (forgottenFloor === undefined || at < forgottenFloor) && links.every((link) => at < link.at);
  }

  /** Remembers the ids of the links compact() just dropped, the newest FORGOTTEN_LIMIT of them, and their floor. */
  private forget(before: ChainLink[]): void {
    const kept = new Set(this.state.links.map((link) => link.id));
    const dropped = before.filter((link) => !kept.has(link.id));
    if (dropped.length === 0) return;
    this.state.forgotten = [...(this.state.forgotten ?? []), ...dropped.map((link) => link.id)].slice(-FORGOTTEN_LIMIT);
    if (!this.rules.livesAndFloor) return;
    this.state.forgottenFloor = dropped.reduce(
      (floor, link) => (link.at > floor ? link.at : floor),
      this.state.forgottenFloor ?? '',
    );
  }

  private reorder(): ChainLink | undefined {
    const { order, followed } = chainOrder(this.state.links, this.rules.livesAndFloor, this.state.forgottenFloor);
    const newest = order.at(-1);
    if (this.rules.keepOpenHeads) return this.keepHeads(order, openHeads(order, followed));
    const applied = this.applied;
    const kept = order.slice(-LINK_LIMIT);
    if (applied && !kept.includes(applied)) kept.unshift(applied);
    this.state.links = kept;
    const position = new Map(kept.map((link, index) => [link.id, index]));
    // The applied event stays too: later deliveries may show an event after it was older after all.
    const open = (event: RowEvent) =>
      position.has(event.eventId) && (!followed.has(event.eventId) || event.eventId === newest?.id);
    const candidates = this.state.held.filter(open).sort((a, b) => position.get(b.eventId)! - position.get(a.eventId)!);
    this.state.held = keepWithin(candidates).reverse();
    return newest;
  }

  /** compact() with patch 12-keep-open-heads: every open head stays held, and its link with it. */
  private keepHeads(order: ChainLink[], open: Set<string>): ChainLink | undefined {
    const applied = this.applied;
    const kept = order.filter((link, index) => index >= order.length - LINK_LIMIT || open.has(link.id));
    if (applied && !kept.includes(applied)) kept.unshift(applied);
    this.state.links = kept;
    const position = new Map(order.map((link, index) => [link.id, index]));
    const held = this.state.held.filter((event) => open.has(event.eventId));
    this.state.held = held.sort((a, b) => position.get(a.eventId)! - position.get(b.eventId)!);
    return order.at(-1);
  }
}

/**
 * The changes that may still turn out to be the row's newest (ids): the newest, and every change no other known
 * change follows in the chain. A change is superseded only by its known successor: created_at does not supersede,
 * as a late delivery's edge may still put the earlier-stamped change last (a re-INSERT whose transaction began
 * before the DELETE's). So each gap the chain keeps open (a change no event reported) keeps one change held.
 */
function openHeads(order: ChainLink[], followed: Set<string>): Set<string> {
  const open = new Set(order.filter((link) => !followed.has(link.id)).map((link) => link.id));
  const newest = order.at(-1);
  if (newest) open.add(newest.id);
  return open;
}

/** Newest first: the first is always kept; the rest while they fit the count and size bounds. */
function keepWithin(newestFirst: RowEvent[]): RowEvent[] {
  let characters = 0;
  return newestFirst.filter((event, index) => {
    characters += JSON.stringify(event).length;
    return index === 0 || (index < HELD_LIMIT && characters <= HELD_CHARACTERS);
  });
}
