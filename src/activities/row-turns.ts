/** Forwards to one row run at once in one worker; more only wait longer for the run's lock in the server. */
export const TURNS_PER_ROW = 2;

interface Lane {
  running: number;
  /** Waiting forwards in arrival order, each handed a turn by the one that finishes. */
  waiting: Set<() => void>;
}

/** A forward that waited for its row's turn until its attempt had no time left for a call: retried on schedule. */
export class RowBusyError extends Error {
  override name = 'RowBusyError';
  constructor(row: string, waiting: number) {
    super(
      `row workflow ${row} is hot: ${TURNS_PER_ROW} forwards to it were running in this worker and ${waiting} ` +
        `waiting until this attempt had no time left for a call; the event is forwarded on the next attempt`,
    );
  }
}

/**
 * A worker's turns per row run. A hot row's run takes one signal at a time, and the server holds every waiting
 * signal until its deadline: thousands of forwards to one row in flight at once make each wait behind all the
 * others and most answer BUSY_WORKFLOW. With its forwards in turns, each call finds a short queue and lands,
 * and the hot row keeps at most TURNS_PER_ROW calls waiting on the server.
 */
export class RowTurns {
  private readonly lanes = new Map<string, Lane>();

  /** Runs `work` in one of the row's turns; waits for one until `waitUntil` (epoch ms), then RowBusyError. */
  async run<T>(row: string, waitUntil: number, work: () => Promise<T>): Promise<T> {
    let lane = this.lanes.get(row);
    if (!lane) this.lanes.set(row, (lane = { running: 0, waiting: new Set() }));
    if (lane.running < TURNS_PER_ROW) lane.running++;
    else await this.turnOf(row, lane, waitUntil);
    try {
      return await work();
    } finally {
      this.release(row, lane);
    }
  }

  /** Resolves holding a turn handed over by a finishing forward. */
  private turnOf(row: string, lane: Lane, waitUntil: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const take = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        lane.waiting.delete(take);
        reject(new RowBusyError(row, lane.waiting.size));
      }, waitUntil - Date.now());
      lane.waiting.add(take);
    });
  }

  private release(row: string, lane: Lane): void {
    const [next] = lane.waiting;
    if (next) {
      lane.waiting.delete(next);
      next();
    } else if (--lane.running === 0) this.lanes.delete(row);
  }
}
