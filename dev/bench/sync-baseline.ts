import { burstTimeoutMs, runLoad } from './load';
import type { LoadResult } from './load-types';
import type { SectionContext } from './section';
import { startBridge, startHttpChild, type HttpChild } from './stack';
import { ratio, waitFor } from './timing';

export interface OutageOutcome {
  sent: number;
  /** Answers Hasura counts as failed; with num_retries 0 each one is an event dropped for good. */
  non2xx: number;
  /** Incidents that existed after ServiceNow came back (bounded wait). */
  incidentsAfterRecovery: number;
}

export interface SyncBaselineResult {
  latencyMs: number;
  offeredPerSecond: number;
  bridge: { ack: LoadResult; outage: OutageOutcome };
  syncRelay: { ack: LoadResult; outage: OutageOutcome };
  /** Relay latency over bridge latency: how much longer Hasura waits per event. */
  p50Ratio: number;
  p99Ratio: number;
}

const SIMULATED_LATENCY_MS = 250;

async function outage(ctx: SectionContext, url: string, options: { waitForRecovery: boolean }): Promise<OutageOutcome> {
  const { simulator } = ctx.stack;
  const sent = ctx.config.syncOutageEvents;
  simulator.reset();
  simulator.setFaults({ latencyMs: SIMULATED_LATENCY_MS, outage: { forMs: 3_600_000 } });
  const shape = { connections: ctx.config.connections, amount: sent };
  const load = await runLoad({ kind: 'http', url, ...shape }, { timeoutMs: burstTimeoutMs(shape), signal: ctx.signal });
  simulator.setFaults({ latencyMs: SIMULATED_LATENCY_MS });
  if (options.waitForRecovery) {
    await waitFor(() => (simulator.stats().creates >= load.ok ? true : undefined), {
      timeoutMs: 60_000,
      what: 'queued events to become incidents',
      signal: ctx.signal,
    }).catch(() => undefined);
  }
  return { sent, non2xx: load.failed + load.errors, incidentsAfterRecovery: simulator.stats().creates };
}

async function ackAt(ctx: SectionContext, url: string, offeredPerSecond: number): Promise<LoadResult> {
  ctx.stack.simulator.reset();
  ctx.stack.simulator.setFaults({ latencyMs: SIMULATED_LATENCY_MS });
  const shape = {
    connections: ctx.config.connections,
    durationS: ctx.config.stepSeconds * 2,
    ratePerSecond: offeredPerSecond,
  };
  const ack = await runLoad({ kind: 'http', url, ...shape }, { timeoutMs: burstTimeoutMs(shape), signal: ctx.signal });
  // The bridge finishes these in the background; the outage that follows must not inherit them.
  const created = (): number => ctx.stack.simulator.stats().creates;
  await waitFor(() => (created() >= ack.ok ? true : undefined), {
    timeoutMs: 60_000 + ack.ok * 200,
    what: 'the paced events to become incidents',
    signal: ctx.signal,
  });
  return ack;
}

/** Section 6: the same paced load against the bridge and a relay that calls ServiceNow inline, then an outage. */
export async function runSyncBaselineSection(ctx: SectionContext): Promise<SyncBaselineResult> {
  const offeredPerSecond = ctx.config.syncRatePerSecond;
  const bridge = await startBridge(ctx.stack, { name: 'sync-bridge', signal: ctx.signal });
  let relay: HttpChild | undefined;
  try {
    const bridgeAck = await ackAt(ctx, bridge.eventsUrl, offeredPerSecond);
    const bridgeOutage = await outage(ctx, bridge.eventsUrl, { waitForRecovery: true });
    await bridge.stop();
    relay = await startHttpChild(ctx.stack, {
      name: 'sync-relay',
      script: ['dev', 'bench', 'sync-relay.js'],
      env: ctx.stack.childEnv('unused'),
      signal: ctx.signal,
    });
    const relayUrl = `${relay.url}/hasura/events`;
    const relayAck = await ackAt(ctx, relayUrl, offeredPerSecond);
    const relayOutage = await outage(ctx, relayUrl, { waitForRecovery: false });
    return {
      latencyMs: SIMULATED_LATENCY_MS,
      offeredPerSecond,
      bridge: { ack: bridgeAck, outage: bridgeOutage },
      syncRelay: { ack: relayAck, outage: relayOutage },
      p50Ratio: ratio(relayAck.latencyMs.p50, bridgeAck.latencyMs.p50),
      p99Ratio: ratio(relayAck.latencyMs.p99, bridgeAck.latencyMs.p99),
    };
  } finally {
    await bridge.stop();
    await relay?.stop();
  }
}
