import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { correlationIdFor } from '../../src/contract';
import { BENCH_HEADERS, BENCH_TRIGGER, benchEventBody } from './events';
import type { SectionContext } from './section';
import { percentiles, round, sleep, waitFor, type Percentiles } from './timing';
import { TRIVIAL_WORKFLOW_TYPE } from './trivial-workflow-type';

/** POST (or start) → incident stored, minus the simulated ServiceNow latency, at half the measured saturation. */
export interface Overhead {
  ratePerSecond: number;
  latencyMs: number;
  incidents: number;
  overheadMs: Percentiles;
}

/** Sends one event; resolves with its correlation id once the request is off (its answer is not waited for). */
type SendOne = () => { correlationId: string; sent: Promise<unknown> };

export function postEvent(url: string): SendOne {
  return () => {
    const id = randomUUID();
    const body = JSON.stringify(benchEventBody(id));
    return {
      correlationId: correlationIdFor(BENCH_TRIGGER, id),
      sent: fetch(url, { method: 'POST', headers: BENCH_HEADERS, body }),
    };
  };
}

export function startTrivial(client: Client, taskQueue: string): SendOne {
  return () => {
    const id = randomUUID();
    const correlationId = `trivial:${id}`;
    const options = { workflowId: `trivial-${id}`, taskQueue, args: [{ correlationId }] };
    return { correlationId, sent: client.workflow.start(TRIVIAL_WORKFLOW_TYPE, options) };
  };
}

/**
 * Open loop on an even schedule at `ratePerSecond`, each event's time counted from its scheduled slot (so a
 * stalled sender shows up as overhead, not as a lower rate); the simulator stamps when each incident is stored.
 */
export async function measureOverhead(
  ctx: SectionContext,
  send: SendOne,
  options: { ratePerSecond: number; latencyMs: number },
): Promise<Overhead> {
  const { simulator } = ctx.stack;
  simulator.reset();
  simulator.setFaults({ latencyMs: options.latencyMs });
  const incidents = ctx.config.e2eIncidents;
  const intervalMs = 1000 / options.ratePerSecond;
  const start = Date.now();
  const slots = new Map<string, number>();
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < incidents; i++) {
    const slot = start + i * intervalMs;
    await sleep(Math.max(0, slot - Date.now()), ctx.signal);
    const { correlationId, sent } = send();
    slots.set(correlationId, slot);
    sends.push(sent);
  }
  await Promise.all(sends);
  const created = await waitFor(
    () => {
      const { createdAtMs } = simulator.stats();
      return [...slots.keys()].every((id) => createdAtMs[id] !== undefined) ? createdAtMs : undefined;
    },
    { timeoutMs: 60_000 + incidents * 200, what: `${incidents} incidents`, intervalMs: 50, signal: ctx.signal },
  );
  const samples = [...slots].map(([id, slot]) => created[id] - slot - options.latencyMs);
  return {
    ratePerSecond: round(options.ratePerSecond),
    latencyMs: options.latencyMs,
    incidents,
    overheadMs: percentiles(samples),
  };
}
