import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Spaces one target's requests at least 1/R apart, by the time each was actually let go (a token bucket
 * holding one token). Ticketing APIs count calls per window (ServiceNow: per user per hour), so any burst
 * above R in a window comes back as 429s; Temporal's task-queue limiter cannot prevent that: it is a token
 * bucket that allows bursts, and it counts activities, not the lookups, retries and token requests inside them.
 * One pacer per target per process: N worker processes each need R/N.
 */
const PACING_MARGIN = 1.05;

export class RequestPacer {
  readonly #intervalMs: number;
  #lastAt = Number.NEGATIVE_INFINITY;
  #tail: Promise<void> = Promise.resolve();

  constructor(
    requestsPerSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    // 5 % over 1/R: the API counts arrivals, and a call that leaves on time can arrive a few ms later than the one
    // after it (a loaded host, a slower connection); spacing at exactly 1/R then lands R + 1 calls in one window.
    this.#intervalMs = (1000 / requestsPerSecond) * PACING_MARGIN;
  }

  /** Resolves when this request may go; callers are served in order. */
  turn(): Promise<void> {
    const turn = this.#tail.then(() => this.#waitForSlot());
    this.#tail = turn;
    return turn;
  }

  async #waitForSlot(): Promise<void> {
    // A loop, not one timer: timers may fire a millisecond early against the wall clock the API counts by.
    for (let wait = this.#lastAt + this.#intervalMs - this.now(); wait > 0;) {
      await sleep(Math.ceil(wait));
      wait = this.#lastAt + this.#intervalMs - this.now();
    }
    this.#lastAt = this.now();
  }
}
