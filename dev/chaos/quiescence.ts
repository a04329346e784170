import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { TicketStatus } from '../../src/contract/search-attributes';

const RUNNING = 'ExecutionStatus="Running"';
const PARKED = `${RUNNING} AND ${TicketStatus.name}="waiting-for-operator"`;
/** Beyond this many open workflows the ids are not listed one by one (the counts still are exact). */
const LIST_LIMIT = 200;
const POLL_MS = 1_000;
const PROGRESS_EVERY_POLLS = 10;

export interface WorkflowCensus {
  /** Closed and open workflows by ExecutionStatus (Completed, Failed, Running, …). */
  byStatus: Record<string, number>;
  /** Waiting for an operator: retries ran out (reported, not counted as stuck). */
  parked: string[];
  /** Still running but not parked: neither finished nor waiting for anyone. */
  stuck: string[];
}

export interface Quiescence {
  drained: boolean;
  waitedMs: number;
  census: WorkflowCensus;
}

async function openButNotParked(client: Client): Promise<number> {
  const [running, parked] = await Promise.all([client.workflow.count(RUNNING), client.workflow.count(PARKED)]);
  return running.count - parked.count;
}

async function listIds(client: Client, query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const execution of client.workflow.list({ query, pageSize: 100 })) {
    ids.push(execution.workflowId);
    if (ids.length >= LIST_LIMIT) break;
  }
  return ids;
}

export async function takeCensus(client: Client): Promise<WorkflowCensus> {
  const grouped = await client.workflow.count('GROUP BY ExecutionStatus');
  const byStatus: Record<string, number> = {};
  for (const group of grouped.groups) byStatus[String(group.groupValues[0])] = group.count;
  const [parked, running] = await Promise.all([listIds(client, PARKED), listIds(client, RUNNING)]);
  return { byStatus, parked, stuck: running.filter((id) => !parked.includes(id)) };
}

/**
 * Waits until no workflow is running except parked ones, seen twice in a row (visibility lags the
 * history by a moment), or until the time is up; then takes the census either way.
 */
export async function waitForQuiescence(
  client: Client,
  options: { timeoutMs: number; signal?: AbortSignal; progress?: (line: string) => void },
): Promise<Quiescence> {
  const started = Date.now();
  let quietPolls = 0;
  for (
    let poll = 0;
    quietPolls < 2 && Date.now() - started < options.timeoutMs && !options.signal?.aborted;
    poll += 1
  ) {
    const open = await openButNotParked(client).catch(() => undefined);
    quietPolls = open === 0 ? quietPolls + 1 : 0;
    if (poll % PROGRESS_EVERY_POLLS === 0 && open !== 0)
      options.progress?.(open === undefined ? 'Temporal not answering' : `${open} workflow(s) still running`);
    if (quietPolls < 2) await sleep(POLL_MS, undefined, { signal: options.signal }).catch(() => undefined);
  }
  return { drained: quietPolls >= 2, waitedMs: Date.now() - started, census: await takeCensus(client) };
}
