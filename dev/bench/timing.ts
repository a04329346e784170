/** Bounded waiting: every wait in the benchmark has a deadline and obeys the section's abort signal. */

export class BenchTimeoutError extends Error {
  override name = 'BenchTimeoutError';
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface WaitOptions {
  timeoutMs: number;
  what: string;
  intervalMs?: number;
  signal?: AbortSignal;
}

/** Polls until `check` yields a value; throws BenchTimeoutError naming `what` when time is up. */
export async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new BenchTimeoutError(`timed out after ${options.timeoutMs} ms waiting for ${options.what}`);
    await sleep(options.intervalMs ?? 50, options.signal);
  }
}

export interface Percentiles {
  p50: number;
  p99: number;
}

/** Nearest-rank percentiles of raw samples (milliseconds). */
export function percentiles(samples: number[]): Percentiles {
  if (samples.length === 0) return { p50: NaN, p99: NaN };
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { p50: round(rank(0.5)), p99: round(rank(0.99)) };
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function ratio(value: number, reference: number): number {
  return reference > 0 ? round(value / reference, 2) : NaN;
}
