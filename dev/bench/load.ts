import { Worker } from 'node:worker_threads';
import { distScript } from './children';
import type { LoadOptions, LoadResult } from './load-types';
import { BenchTimeoutError } from './timing';

/**
 * Runs one burst of load in a worker thread (its own event loop and CPU thread), bounded by
 * `timeoutMs` and the section's abort signal; the thread is terminated either way.
 */
export function runLoad(
  options: LoadOptions,
  bounds: { timeoutMs: number; signal?: AbortSignal },
): Promise<LoadResult> {
  const thread = new Worker(distScript('dev', 'bench', 'load-thread.js'), { workerData: options });
  let timer: NodeJS.Timeout | undefined;
  let onAbort = (): void => undefined;
  const outcome = new Promise<LoadResult>((resolve, reject) => {
    timer = setTimeout(
      () => reject(new BenchTimeoutError(`load (${options.kind}) still running after ${bounds.timeoutMs} ms`)),
      bounds.timeoutMs,
    );
    onAbort = () => reject(bounds.signal?.reason);
    bounds.signal?.addEventListener('abort', onAbort, { once: true });
    thread.once('message', (message: { result?: LoadResult; error?: string }) => {
      if (message.result) resolve(message.result);
      else reject(new Error(`load thread failed: ${message.error}`));
    });
    thread.once('error', reject);
    thread.once('exit', (code) => reject(new Error(`load thread exited with ${code} before reporting`)));
  });
  return outcome.finally(() => {
    clearTimeout(timer);
    bounds.signal?.removeEventListener('abort', onAbort);
    void thread.terminate();
  });
}

/** A generous bound for a burst: its planned length plus time for stragglers. */
export function burstTimeoutMs(options: { durationS?: number; amount?: number }, perItemMs = 50): number {
  return 30_000 + (options.durationS ?? 0) * 1000 + (options.amount ?? 0) * perItemMs;
}
