import { randomUUID } from 'node:crypto';
import { burstTimeoutMs, runLoad } from './load';
import type { SectionContext } from './section';
import { startBridge } from './stack';
import { ratio, round, sleep, waitFor } from './timing';

export interface DrainResult {
  events: number;
  rateLimitPerSecond: number;
  /** K / R: the fastest a limit of R calls per second allows. */
  idealSeconds: number;
  drainSeconds: number;
  drainRatio: number;
  /** Highest request count the simulator saw in any 1-second window after recovery. */
  maxObservedPerSecond: number;
  maxRateRatio: number;
  /** The most calls one of the simulator's own rate-limit windows (1 s) counted: the peak as the API sees it. */
  peakWindowCalls: number;
  peakWindowRatio: number;
  /** Calls the simulator refused with 429 during the drain: zero when the bridge holds the limit itself. */
  rejected429: number;
  callsPerIncident: number;
  limit: 'enforced' | 'not enforced';
}

interface Sample {
  at: number;
  total: number;
}

/** Highest rate over any window of at least one second between two samples. */
export function maxRatePerSecond(samples: Sample[]): number {
  let max = 0;
  for (let i = 0, j = 0; i < samples.length; i++) {
    while (j < samples.length && samples[j].at - samples[i].at < 1000) j++;
    if (j === samples.length) break;
    max = Math.max(max, (samples[j].total - samples[i].total) / ((samples[j].at - samples[i].at) / 1000));
  }
  return round(max);
}

/** Posts the events while every ServiceNow call fails; resolves once each has met the outage. */
async function queueDuringOutage(ctx: SectionContext, eventsUrl: string): Promise<number> {
  const { simulator } = ctx.stack;
  simulator.reset();
  simulator.setFaults({ outage: { forMs: 3_600_000 } });
  const shape = { connections: ctx.config.connections, amount: ctx.config.drainEvents };
  const ingest = await runLoad(
    { kind: 'http', url: eventsUrl, ...shape },
    { timeoutMs: burstTimeoutMs(shape), signal: ctx.signal },
  );
  const events = ingest.ok; // an event Temporal refused was answered 503 and is Hasura's to redeliver
  const metOutage = (): number => Object.keys(simulator.stats().byCorrelation).length;
  const timeoutMs = 30_000 + events * 200; // first attempts run at the worker's pace, not R's
  await waitFor(() => (metOutage() >= events ? true : undefined), {
    timeoutMs,
    what: 'every queued event to meet the outage',
    signal: ctx.signal,
  });
  return events;
}

/** Ends the outage with a limit of R calls/s and samples the simulator's call count until every incident exists. */
async function drainAfterRecovery(
  ctx: SectionContext,
  events: number,
  limit: number,
): Promise<{ drainSeconds: number; samples: Sample[] }> {
  const { simulator } = ctx.stack;
  simulator.reset();
  simulator.setFaults({ rateLimit: { perHour: limit, windowMs: 1000 } });
  const recovered = Date.now();
  const samples: Sample[] = [];
  const timeoutMs = Math.max(60_000, (events / limit) * 6000);
  await waitFor(
    () => {
      const stats = simulator.stats();
      samples.push({ at: Date.now(), total: stats.total });
      return stats.creates >= events ? true : undefined;
    },
    { timeoutMs, what: `${events} incidents after recovery`, intervalMs: 100, signal: ctx.signal },
  );
  const drainSeconds = (Date.now() - recovered) / 1000;
  await sleep(1000, ctx.signal); // one more window so a burst at the very end is counted too
  samples.push({ at: Date.now(), total: simulator.stats().total });
  return { drainSeconds, samples };
}

/**
 * Section 4: K events queue up while ServiceNow is down; it comes back allowing R calls per second.
 * The worker gets TICKET_RATE_LIMIT_PER_SECOND / TICKETING_TASK_QUEUE / TICKET_CREATE_QUEUE so the limit is exercised
 * as soon as the worker honours them; whether it held is judged from what the simulator saw.
 */
export async function runDrainSection(ctx: SectionContext): Promise<DrainResult> {
  const limit = ctx.config.drainRatePerSecond;
  const env = {
    TICKET_RATE_LIMIT_PER_SECOND: String(limit),
    TICKETING_TASK_QUEUE: `bench-ticketing-${randomUUID().slice(0, 8)}`,
    TICKET_CREATE_QUEUE: 'ticketing',
  };
  const bridge = await startBridge(ctx.stack, { name: 'drain', env, signal: ctx.signal });
  try {
    const events = await queueDuringOutage(ctx, bridge.eventsUrl);
    const { drainSeconds, samples } = await drainAfterRecovery(ctx, events, limit);
    const stats = ctx.stack.simulator.stats();
    const maxObservedPerSecond = maxRatePerSecond(samples);
    const rejected429 = stats.byStatus['429'] ?? 0;
    // The sampled rate spans windows of 1 s or a little more, so it can read one call above R: judged by the windows.
    const enforced = rejected429 === 0 && stats.peakWindowCalls <= limit;
    return {
      events,
      rateLimitPerSecond: limit,
      idealSeconds: round(events / limit, 2),
      drainSeconds: round(drainSeconds, 2),
      drainRatio: ratio(drainSeconds, events / limit),
      maxObservedPerSecond,
      maxRateRatio: ratio(maxObservedPerSecond, limit),
      peakWindowCalls: stats.peakWindowCalls,
      peakWindowRatio: ratio(stats.peakWindowCalls, limit),
      rejected429,
      callsPerIncident: round(stats.total / Math.max(1, stats.creates), 2),
      limit: enforced ? 'enforced' : 'not enforced',
    };
  } finally {
    await bridge.stop();
  }
}
