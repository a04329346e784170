import { TicketUnavailableError } from './errors';
import { untilAborted } from './http/network-error';
import type { TicketRef } from './ticket-target';

/** One key's tickets, oldest first, or why that key could not be looked up. */
export type KeyAnswer = PromiseSettledResult<TicketRef[]>;
/** Each key's answer, from one query for all of them where it can; `signal` only for a lone lookup. */
export type LookMany = (correlationIds: string[], signal?: AbortSignal) => Promise<Map<string, KeyAnswer>>;

interface Waiting {
  correlationId: string;
  signal?: AbortSignal;
  resolve: (found: TicketRef[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Lookups by correlation key against a rate-limited target, sent as one query while another is on its way.
 * After an outage every retry looks its key up before it creates: one call each spent half the API's limit on
 * reads. A lookup that finds no query in flight goes at once, alone, so an idle bridge waits for nothing; the
 * ones that arrive meanwhile wait for it to come back and go together. Each query is sent after every lookup
 * in it was asked, so a late-duplicate check still sees what committed before it looked.
 */
export class LookupBatcher {
  #waiting: Waiting[] = [];
  #inFlight = false;

  constructor(
    private readonly lookMany: LookMany,
    /** `fits`: whether one query can carry these keys (URL length); a single key always goes. */
    private readonly options: { fits: (correlationIds: string[]) => boolean; system: string },
  ) {}

  find(correlationId: string, signal?: AbortSignal): Promise<TicketRef[]> {
    const answer = new Promise<TicketRef[]>((resolve, reject) => {
      this.#waiting.push({ correlationId, signal, resolve, reject });
    });
    this.#sendNext();
    // The caller's attempt may end first: it is answered with the abort at once; the query goes on for the rest.
    return untilAborted(answer, signal, this.options.system);
  }

  #sendNext(): void {
    if (this.#inFlight) return;
    this.#waiting = this.#waiting.filter((waiting) => !waiting.signal?.aborted);
    const batch = this.#takeBatch();
    if (batch.length === 0) return;
    this.#inFlight = true;
    const keys = [...new Set(batch.map((waiting) => waiting.correlationId))];
    this.lookMany(keys, batch.length === 1 ? batch[0].signal : undefined)
      .then(
        (found) => batch.forEach((waiting) => answer(waiting, found.get(waiting.correlationId))),
        (error: unknown) => batch.forEach((waiting) => waiting.reject(error)),
      )
      .finally(() => {
        this.#inFlight = false;
        this.#sendNext();
      });
  }

  /** The longest run of waiting lookups, in order, whose keys fit one query. */
  #takeBatch(): Waiting[] {
    const keys = new Set<string>();
    let taken = 0;
    for (const waiting of this.#waiting) {
      const more = new Set(keys).add(waiting.correlationId);
      if (taken > 0 && !this.options.fits([...more])) break;
      keys.add(waiting.correlationId);
      taken += 1;
    }
    return this.#waiting.splice(0, taken);
  }
}

/** A key the answer left out is not "no ticket": that would create a second one. */
function answer(waiting: Waiting, found: KeyAnswer | undefined): void {
  if (!found) return waiting.reject(new TicketUnavailableError(`lookup answer left out ${waiting.correlationId}`));
  if (found.status === 'rejected') return waiting.reject(found.reason);
  // A copy: two lookups of one key must not share an array either may sort.
  waiting.resolve([...found.value]);
}
