/**
 * A create whose transaction commits late, as on a real instance under load: the insert is
 * accepted, stays invisible to every read until it commits, and its answer comes never, late, or
 * right after the commit. A client that gave up meanwhile does not stop the commit.
 */
export type DelayedAnswer = 'never' | 'late' | 'after-commit';

export interface DelayedCommitPlan {
  commitAfterMs: number;
  answer: DelayedAnswer;
  /** With `late`: how long after the commit the answer is sent. */
  lateByMs: number;
}

/** Timers of commits not yet made; cancelled when the simulator resets or closes (the instance went away). */
export class PendingCommits {
  private readonly timers = new Set<NodeJS.Timeout>();

  schedule(delayMs: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, delayMs);
    this.timers.add(timer);
  }

  get size(): number {
    return this.timers.size;
  }

  cancelAll(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
