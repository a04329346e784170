import { burstTimeoutMs, runLoad } from './load';
import type { LoadResult, Pace } from './load-types';
import type { SectionContext } from './section';
import { startBridge, type Bridge } from './stack';
import { ratio } from './timing';

export interface AckStep {
  offeredPerSecond: number;
  webhook: LoadResult;
  floor: LoadResult;
  /** The webhook delivered less than 95 % of the offered load. */
  saturated: boolean;
}

export interface AckResult {
  storage: string;
  connections: number;
  closedLoop: { webhook: LoadResult; floor: LoadResult; throughputRatio: number };
  steps: AckStep[];
  /** Worst webhook p99 among the steps below saturation (target ≤ 25 ms). */
  p99BelowSaturationMs: number | null;
}

function pace(ctx: SectionContext, extra: Partial<Pace> = {}): Pace {
  return { connections: ctx.config.connections, durationS: ctx.config.stepSeconds, ...extra };
}

/** The dev server slows as starts pile up, so the order alternates (ABBA) to spread that drift over both. */
async function measurePair(
  ctx: SectionContext,
  bridge: Bridge,
  shape: Pace,
  order: 'floor-first' | 'webhook-first',
): Promise<{ webhook: LoadResult; floor: LoadResult }> {
  const bounds = { timeoutMs: burstTimeoutMs(shape), signal: ctx.signal };
  const floor = () => runLoad({ kind: 'starts', workflow: 'bridge-event', env: bridge.env, ...shape }, bounds);
  const webhook = () => runLoad({ kind: 'http', url: bridge.eventsUrl, ...shape }, bounds);
  if (order === 'floor-first') {
    const floorResult = await floor();
    return { floor: floorResult, webhook: await webhook() };
  }
  const webhookResult = await webhook();
  return { webhook: webhookResult, floor: await floor() };
}

/**
 * Section 1: how fast the webhook acknowledges, next to the same start call made directly.
 * No worker polls the task queue, so workflow execution never competes with the ack path.
 */
export async function runAckSection(ctx: SectionContext): Promise<AckResult> {
  const bridge = await startBridge(ctx.stack, { name: 'ack', withWorker: 'no', signal: ctx.signal });
  try {
    await measurePair(
      ctx,
      bridge,
      { connections: ctx.config.connections, amount: ctx.config.connections * 5 },
      'floor-first',
    ); // warm-up: JIT, sockets
    const closed = await measurePair(ctx, bridge, pace(ctx), 'floor-first');
    const steps: AckStep[] = [];
    for (const [index, fraction] of ctx.config.loadFractions.entries()) {
      const offeredPerSecond = Math.max(1, Math.round(fraction * closed.floor.throughput));
      const pair = await measurePair(
        ctx,
        bridge,
        pace(ctx, { ratePerSecond: offeredPerSecond }),
        index % 2 === 0 ? 'webhook-first' : 'floor-first',
      );
      steps.push({ offeredPerSecond, ...pair, saturated: pair.webhook.throughput < 0.95 * offeredPerSecond });
    }
    const unsaturated = steps.filter((step) => !step.saturated);
    return {
      storage: ctx.stack.storage,
      connections: ctx.config.connections,
      closedLoop: { ...closed, throughputRatio: ratio(closed.webhook.throughput, closed.floor.throughput) },
      steps,
      p99BelowSaturationMs: unsaturated.length
        ? Math.max(...unsaturated.map((step) => step.webhook.latencyMs.p99))
        : null,
    };
  } finally {
    await bridge.stop();
  }
}
