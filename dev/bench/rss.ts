import type { BenchChild } from './children';

/** Samples each child's RSS on an interval and keeps the peak (the under-load figure). */
export function sampleRssPeaks(children: BenchChild[], intervalMs = 250): { stop(): Record<string, number | null> } {
  const peaks = new Map<string, number>();
  const sample = (): void => {
    for (const child of children) {
      const rss = child.rssMb();
      if (rss !== undefined) peaks.set(child.name, Math.max(peaks.get(child.name) ?? 0, rss));
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return Object.fromEntries(children.map((child) => [child.name, peaks.get(child.name) ?? null]));
    },
  };
}
