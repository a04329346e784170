import type { LoadResult, Pace } from './load-types';
import { percentiles, round } from './timing';

/** One operation's outcome: a status (HTTP), or true/false for a call without one. */
export type Outcome = number | boolean;

const isOk = (outcome: Outcome): boolean => (typeof outcome === 'number' ? outcome >= 200 && outcome < 300 : outcome);

/**
 * `connections` lanes share one schedule: closed loop, or one slot every 1/rate s spread evenly,
 * latency counted from the slot (so queueing behind a slow answer counts, as it would for Hasura).
 * The webhook and its floor are paced by this same loop, so neither gets a kinder load shape.
 */
export async function runLanes(pace: Pace, operation: () => Promise<Outcome>): Promise<LoadResult> {
  const began = Date.now();
  const endAt = pace.durationS ? began + pace.durationS * 1000 : Infinity;
  const interval = pace.ratePerSecond ? 1000 / pace.ratePerSecond : 0;
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  const counts = { issued: 0, ok: 0, failed: 0, errors: 0 };
  const lane = async (): Promise<void> => {
    while (Date.now() < endAt && counts.issued < (pace.amount ?? Infinity)) {
      const slot = began + counts.issued * interval;
      if (slot >= endAt) break;
      counts.issued += 1;
      if (slot > Date.now()) await new Promise((resolve) => setTimeout(resolve, slot - Date.now()));
      const from = interval ? slot : Date.now();
      try {
        const outcome = await operation();
        if (typeof outcome === 'number') statusCodes[outcome] = (statusCodes[outcome] ?? 0) + 1;
        if (isOk(outcome)) counts.ok += 1;
        else counts.failed += 1;
        latencies.push(Date.now() - from);
      } catch {
        counts.errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: pace.connections }, lane));
  const durationS = (Date.now() - began) / 1000;
  return {
    completed: counts.ok + counts.failed,
    ok: counts.ok,
    failed: counts.failed,
    errors: counts.errors,
    durationS: round(durationS, 2),
    throughput: round(counts.ok / durationS),
    latencyMs: percentiles(latencies),
    statusCodes,
  };
}
