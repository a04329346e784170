import { burstTimeoutMs, runLoad } from './load';
import { sampleRssPeaks } from './rss';
import type { SectionContext } from './section';
import { startBridge } from './stack';
import { round, sleep, waitFor } from './timing';

export interface ProcessFootprint {
  idleMb: number | null;
  /** Peak while the parked events were accepted and processed. */
  underLoadMb: number | null;
  parkedMb: number | null;
}

export interface FootprintResult {
  parkedWorkflows: number;
  secondsToPark: number;
  worker: ProcessFootprint;
  webhook: ProcessFootprint;
  /** Target: worker RSS with every event parked ≤ 300 MB. */
  parkedCeilingMb: number;
}

const PARKED_CEILING_MB = 300;

/**
 * Section 5: RSS of the webhook and worker processes idle, under load, and holding N parked
 * workflows. The worker presents a wrong password, so every create meets a JSON 401, a permanent
 * error: each event parks after one call and waits for an operator, as real stuck events would.
 * (The simulator's injected 400 is an HTML page, which the client rightly treats as transient.)
 */
export async function runFootprintSection(
  ctx: SectionContext,
  workerEnv?: NodeJS.ProcessEnv,
): Promise<FootprintResult> {
  const { simulator, client } = ctx.stack;
  const bridge = await startBridge(ctx.stack, {
    name: 'footprint',
    env: { SERVICENOW_PASSWORD: 'not-the-password' },
    workerEnv,
    signal: ctx.signal,
  });
  const worker = bridge.worker;
  if (!worker) throw new Error('footprint needs a worker');
  let peaks: ReturnType<typeof sampleRssPeaks> | undefined;
  try {
    await sleep(2000, ctx.signal); // let start-up allocations settle before calling it idle
    const idle = { worker: worker.rssMb() ?? null, webhook: bridge.webhook.rssMb() ?? null };
    simulator.reset();
    const started = Date.now();
    peaks = sampleRssPeaks([worker, bridge.webhook]);
    const shape = { connections: ctx.config.connections, amount: ctx.config.parkedWorkflows };
    const timeoutMs = burstTimeoutMs(shape, 100);
    const { ok: count } = await runLoad(
      { kind: 'http', url: bridge.eventsUrl, ...shape },
      { timeoutMs, signal: ctx.signal },
    );
    const query = `TaskQueue = '${bridge.taskQueue}' AND TicketStatus = 'waiting-for-operator' AND ExecutionStatus = 'Running'`;
    await waitFor(async () => ((await client.workflow.count(query)).count >= count ? true : undefined), {
      timeoutMs,
      what: `${count} parked workflows`,
      intervalMs: 500,
      signal: ctx.signal,
    });
    const secondsToPark = (Date.now() - started) / 1000;
    await sleep(3000, ctx.signal); // the park's notify activities finish after the status flips
    const peak = peaks.stop();
    return {
      parkedWorkflows: count,
      secondsToPark: round(secondsToPark, 1),
      worker: { idleMb: idle.worker, underLoadMb: peak[worker.name], parkedMb: worker.rssMb() ?? null },
      webhook: {
        idleMb: idle.webhook,
        underLoadMb: peak[bridge.webhook.name],
        parkedMb: bridge.webhook.rssMb() ?? null,
      },
      parkedCeilingMb: PARKED_CEILING_MB,
    };
  } finally {
    peaks?.stop();
    await bridge.stop();
  }
}
