import type { Client } from '@temporalio/client';
import type { EventOutcome, EventStatus } from '../../src/contract';
import { statusQuery } from '../../src/contract';
import { hasuraEventBody } from '../helpers/hasura';
import { eventually } from '../helpers/stack';
import type { Harness, RecordingServer } from './recorder-harness';

/* The steps the recorded paths share (record-histories.ts, row-paths.ts). */

/** One closed workflow run whose history becomes `<name>.json`. */
export interface Recorded {
  workflowId: string;
  runId?: string;
}

export type Path = (h: Harness, server: RecordingServer) => Promise<Recorded | Record<string, Recorded>>;

const ROW = { id: 7, title: 'Disk full', priority: 'high' };
export const body = (spec: Parameters<typeof hasuraEventBody>[0] = {}) =>
  hasuraEventBody({ trigger: 'replay_fixture', new: ROW, ...spec });

export async function status(client: Client, workflowId: string): Promise<EventStatus> {
  return client.workflow.getHandle(workflowId).query(statusQuery);
}

export const parked = (client: Client, workflowId: string) =>
  eventually(async () => ((await status(client, workflowId)).state === 'waiting-for-operator' ? true : undefined), {
    what: `${workflowId} to park`,
  });

export async function expectOutcome(
  client: Client,
  workflowId: string,
  expected: EventOutcome['status'],
): Promise<EventOutcome> {
  const outcome: EventOutcome = await client.workflow.getHandle(workflowId).result();
  if (outcome.status !== expected)
    throw new Error(`${workflowId}: expected ${expected}, got ${JSON.stringify(outcome)}`);
  return outcome;
}

/** The run ids of a continue-as-new chain, first run first, read back from each run's start event. */
export async function runChain(client: Client, workflowId: string): Promise<string[]> {
  const runs = [(await client.workflow.getHandle(workflowId).describe()).runId];
  for (;;) {
    const history = await client.workflow.getHandle(workflowId, runs[0]).fetchHistory();
    const previous = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) return runs;
    runs.unshift(previous);
  }
}
