import type { BenchConfig } from './config';
import type { BenchStack } from './stack';

export interface SectionContext {
  config: BenchConfig;
  stack: BenchStack;
  signal: AbortSignal;
}

/** `skipped`: not part of this kind of run (the cluster's), as opposed to a section that failed to produce figures. */
export type SectionOutcome<T> =
  { status: 'ok'; data: T } | { status: 'timeout' | 'error' | 'skipped'; message: string };

/**
 * Runs one section under a deadline. On timeout the section's signal aborts, its own finally blocks
 * stop its processes, and the run goes on with the next section instead of hanging.
 */
export async function runSection<T>(
  name: string,
  timeoutMs: number,
  body: (signal: AbortSignal) => Promise<T>,
): Promise<SectionOutcome<T>> {
  const controller = new AbortController();
  const started = Date.now();
  console.error(`bench: ${name} …`);
  const work = body(controller.signal);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  try {
    const first = await Promise.race([work, deadline]);
    if (first !== 'timeout') {
      console.error(`bench: ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return { status: 'ok', data: first as T };
    }
    controller.abort(new Error(`${name}: section timeout`));
    await Promise.race([work.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 20_000))]);
    console.error(`bench: ${name} TIMED OUT after ${timeoutMs} ms`);
    return { status: 'timeout', message: `no result within ${timeoutMs} ms` };
  } catch (error) {
    console.error(`bench: ${name} failed: ${error instanceof Error ? error.stack : String(error)}`);
    return { status: 'error', message: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
