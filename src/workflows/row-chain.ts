import type { ChainLink } from '../contract';

/*
 * The order of one row's changes, as the database made them (README "Lifecycle"). Hasura's
 * `created_at` is the transaction's start: equal within a transaction, and earlier for a transaction
 * that began first but wrote last. Row locks make the truth visible in the images instead: a change's
 * `old` is the row as the previous change left it. So changes are ordered by "follows" edges first —
 *   image:  B's before-image is A's after-image (each image made and consumed by exactly one change;
 *           a change that leaves the row as it was, MANUAL or a no-op UPDATE, sits between them);
 *   life:   an INSERT follows every DELETE whose life began with another, known INSERT —
 * and by created_at (UTC), then event id, wherever the edges do not decide (gaps, cycles).
 * With `livesApart` (patch 12-review-lives-and-floor) only an open life's INSERT (no known DELETE ends it) follows
 * other lives' DELETEs: lives that ended are ordered by their images and created_at, so life edges form no cycle;
 * and a piece after a gap that ends in a DELETE ends the open life whose last known change came before it, and
 * precedes every open life's INSERT stamped since the piece's first change (the key existed from then on).
 */

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/** `created_at` in UTC with nine fraction digits, so that it compares as text; a zone offset is converted. */
export function instantKey(createdAt: string): string {
  const match = TIMESTAMP.exec(createdAt);
  if (!match) return createdAt;
  const [, seconds, fraction = '', zone = 'Z'] = match;
  const offset = zone === 'Z' ? 0 : Number(zone[0] + '1') * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
  const utc = new Date(Date.parse(`${seconds}Z`) - offset * 60_000).toISOString().slice(0, 19);
  return `${utc}.${fraction.padEnd(9, '0')}Z`;
}

const known = (link: ChainLink) => link.before !== undefined && link.after !== undefined;
const changesRow = (link: ChainLink) => link.before !== link.after;

type Edges = Map<ChainLink, Set<ChainLink>>;

function addEdge(edges: Edges, from: ChainLink, to: ChainLink): void {
  if (from !== to) edges.get(from)!.add(to);
}

function byImage(links: ChainLink[], side: 'before' | 'after'): Map<string, ChainLink[]> {
  const index = new Map<string, ChainLink[]>();
  for (const link of links) {
    const image = link[side];
    if (typeof image === 'string') index.set(image, [...(index.get(image) ?? []), link]);
  }
  return index;
}

/** Each change's unique neighbour along image edges: its predecessor (`previous`) or successor (`next`). */
type Steps = Map<ChainLink, ChainLink>;

/** Image edges; returns each change's unique predecessor, for the life edges. */
function addImageEdges(links: ChainLink[], edges: Edges): Steps {
  const movers = links.filter((link) => known(link) && changesRow(link));
  const made = byImage(movers, 'after');
  const consumed = byImage(movers, 'before');
  const previous: Steps = new Map();
  for (const [image, [maker, ...others]] of made) {
    const consumers = consumed.get(image) ?? [];
    if (others.length > 0 || consumers.length !== 1) continue;
    addEdge(edges, maker, consumers[0]);
    previous.set(consumers[0], maker);
  }
  for (const still of links.filter((link) => known(link) && !changesRow(link) && link.after !== null)) {
    const makers = made.get(still.after as string) ?? [];
    const consumers = consumed.get(still.after as string) ?? [];
    if (makers.length === 1) addEdge(edges, makers[0], still);
    if (consumers.length === 1) addEdge(edges, still, consumers[0]);
  }
  return previous;
}

/** The changes from `link` along `steps` (image edges, either way); cycles end the walk where they close. */
function walk(link: ChainLink, steps: Steps): ChainLink[] {
  const visited = new Set([link]);
  for (let step = steps.get(link); step && !visited.has(step); step = steps.get(step)) visited.add(step);
  return [...visited];
}

/** The first change of a chain of image edges. */
const headOf = (link: ChainLink, previous: Steps): ChainLink => walk(link, previous).at(-1)!;

const byTime = (a: ChainLink, b: ChainLink) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : 1);

const isInsert = (link: ChainLink) => known(link) && link.before === null && link.after !== null;
const isDelete = (link: ChainLink) => known(link) && link.after === null && link.before !== null;

/** The last change of the image chain `link` starts. */
const tailOf = (link: ChainLink, next: Steps): ChainLink => walk(link, next).at(-1)!;

/**
 * A DELETE whose chain starts after a gap (an UPDATE whose before-image no known change made) ends the open life
 * whose last known change was stamped before that piece's first: joined, that life counts as ended. A guess
 * (the piece's real head may merely not have arrived yet): it orders, but supersedes nothing (chainOrder).
 */
function joinGapPieces(links: ChainLink[], edges: Edges, chain: { previous: Steps; next: Steps }): void {
  const { previous, next } = chain;
  const pieces = links
    .filter(isDelete)
    .map((deleted) => headOf(deleted, previous))
    .filter((head) => head.before !== null)
    .sort(byTime);
  for (const head of pieces) {
    // Equal stamps around the gap: one transaction. An INSERT stamped at the piece's first change is not the
    // piece's life (it follows the piece's DELETE instead: addLifeEdges), an earlier one's tail may be.
    const open = links
      .filter((insert) => isInsert(insert) && insert.at < head.at)
      .map((insert) => tailOf(insert, next))
      .filter((tail) => tail.after !== null && tail.at <= head.at);
    const tail = open.sort(byTime).at(-1);
    if (!tail) continue;
    addEdge(edges, tail, head);
    previous.set(head, tail);
    next.set(tail, head);
  }
}

/** The newest created_at of the chain `head` starts. */
const lastStampOf = (head: ChainLink, next: Steps): string =>
  walk(head, next).reduce((at, link) => (link.at > at ? link.at : at), head.at);

function addLifeEdges(links: ChainLink[], edges: Edges, previous: Steps, order: OrderOf) {
  const { lives, floor } = order;
  const next: Steps = new Map([...previous].map(([consumer, maker]) => [maker, consumer]));
  if (lives === 'joined') joinGapPieces(links, edges, { previous, next });
  const inserts = links.filter(isInsert);
  const heads = new Map(links.filter(isDelete).map((deleted) => [deleted, headOf(deleted, previous)]));
  const ended = new Set(lives === 'legacy' ? [] : [...heads.values()].filter((head) => head.before === null));
  const follows = (insert: ChainLink, head: ChainLink) => {
    if (insert === head || ended.has(insert)) return false;
    if (lives === 'legacy') return head.before === null;
    // After a gap the key existed from the piece's first change on: an INSERT stamped since then came after it.
    if (head.before !== null) return insert.at >= head.at;
    const tail = tailOf(insert, next).at;
    // Certain (it supersedes) only when the open life has a change stamped after every change of the ended one.
    if (lives === 'apart') return tail > lastStampOf(head, next);
    // Otherwise a guess that orders only: an open life stamped before this life began most likely ended before
    // it (its DELETE not delivered yet) — unless it is older than a forgotten change: its DELETE may be forgotten.
    return floor === undefined || tail >= floor || tail >= head.at;
  };
  for (const [deleted, head] of heads)
    for (const insert of inserts) if (follows(insert, head)) addEdge(edges, deleted, insert);
}

/** Topological order of the edges, earliest created_at first among the free; a cycle is broken the same way. */
function topological(links: ChainLink[], edges: Edges): ChainLink[] {
  const waiting = new Map(links.map((link) => [link, 0]));
  for (const targets of edges.values()) for (const target of targets) waiting.set(target, waiting.get(target)! + 1);
  const left = [...links].sort(byTime);
  const order: ChainLink[] = [];
  while (left.length > 0) {
    const index = Math.max(
      0,
      left.findIndex((link) => waiting.get(link) === 0),
    );
    const [next] = left.splice(index, 1);
    order.push(next);
    for (const target of edges.get(next)!) waiting.set(target, waiting.get(target)! - 1);
  }
  return order;
}

export interface ChainOrder {
  /** Oldest first. */
  order: ChainLink[];
  /** Event ids of the changes that some other remembered change follows: they are not the row's newest. */
  followed: Set<string>;
}

/** How lives are told apart: before patch 12-review-lives-and-floor; apart; apart, with gap pieces joined. */
type Lives = 'legacy' | 'apart' | 'joined';

/** `floor`: the newest created_at of the changes the row run forgot (RowOrderState.forgottenFloor). */
interface OrderOf {
  lives: Lives;
  floor?: string;
}

function edgesOf(list: ChainLink[], order: OrderOf): Edges {
  const edges: Edges = new Map(list.map((link) => [link, new Set<ChainLink>()]));
  addLifeEdges(list, edges, addImageEdges(list, edges), order);
  return edges;
}

/** The database's order of a row's remembered changes, as far as images and created_at tell it. */
export function chainOrder(links: readonly ChainLink[], livesApart = true, floor?: string): ChainOrder {
  const list = [...links];
  const certain = edgesOf(list, { lives: livesApart ? 'apart' : 'legacy' });
  const followed = new Set(list.filter((link) => certain.get(link)!.size > 0).map((link) => link.id));
  return { order: topological(list, livesApart ? edgesOf(list, { lives: 'joined', floor }) : certain), followed };
}
