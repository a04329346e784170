import { SingleBar } from 'cli-progress';

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

/** Rows per second since the start and the time left at that pace. */
function pace(done: number, total: number, startedAt: number) {
  const seconds = Math.max((Date.now() - startedAt) / 1000, 0.001);
  const perSecond = done / seconds;
  return { perSecond: perSecond.toFixed(1), eta: perSecond > 0 ? `${Math.ceil((total - done) / perSecond)}s` : '?' };
}

/**
 * A bar with rows/s and ETA on a terminal; without one (CI, a log file) a plain line every
 * `everyMs`, and a last one at the end, so logs stay readable.
 */
export function progressFor(stream: NodeJS.WriteStream, label: string, everyMs = 5_000): Progress {
  const startedAt = Date.now();
  if (stream.isTTY) {
    const bar = new SingleBar({
      stream,
      format: `${label} [{bar}] {value}/{total} rows | {rate} rows/s | ETA {eta_formatted}`,
    });
    let begun = false;
    return {
      update(done, total) {
        if (!begun) bar.start(total, done, { rate: '0.0' });
        begun = true;
        bar.update(done, { rate: pace(done, total, startedAt).perSecond });
      },
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  let latest = { done: 0, total: 0 };
  const line = () => {
    const { perSecond, eta } = pace(latest.done, latest.total, startedAt);
    stream.write(`${label}: ${latest.done}/${latest.total} rows, ${perSecond} rows/s, ETA ${eta}\n`);
  };
  return {
    update(done, total) {
      latest = { done, total };
      if (Date.now() - last < everyMs) return;
      last = Date.now();
      line();
    },
    stop: line,
  };
}
