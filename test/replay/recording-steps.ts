import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { statusQuery } from '../../src/contract';
import type { EventOutcome, EventStatus } from '../../src/contract';
import { hasuraEventBody } from '../helpers/hasura';
import { eventually } from '../helpers/stack';
import type { Harness, RecordingServer } from './recorder-harness';

/** The steps the recorded paths are made of (record-histories.ts and the path files beside it). */

/** One closed workflow run whose history becomes `<name>.json`. */
export interface Recorded {
  workflowId: string;
  runId?: string;
}

export type Path = (h: Harness, server: RecordingServer) => Promise<Recorded | Record<string, Recorded>>;

export const ROW = { id: 7, title: 'Disk full', priority: 'high' };
export const body = (spec: Parameters<typeof hasuraEventBody>[0] = {}) =>
  hasuraEventBody({ trigger: 'replay_fixture', new: ROW, ...spec });

export async function status(client: Client, workflowId: string): Promise<EventStatus> {
  return client.workflow.getHandle(workflowId).query(statusQuery);
}

export const inState = (client: Client, workflowId: string, state: EventStatus['state']) =>
  eventually(async () => ((await status(client, workflowId)).state === state ? true : undefined), {
    what: `${workflowId} to be ${state}`,
  });
export const parked = (client: Client, workflowId: string) => inState(client, workflowId, 'waiting-for-operator');

export async function expectOutcome(
  client: Client,
  workflowId: string,
  expected: EventOutcome['status'],
  runId?: string,
): Promise<EventOutcome> {
  const outcome: EventOutcome = await client.workflow.getHandle(workflowId, runId).result();
  if (outcome.status !== expected)
    throw new Error(`${workflowId}: expected ${expected}, got ${JSON.stringify(outcome)}`);
  return outcome;
}

/** The runbook's `temporal workflow reset --type FirstWorkflowTask`; resolves to the reset run's id. */
export async function resetToFirstWorkflowTask(
  h: Harness,
  server: RecordingServer,
  run: { workflowId: string; runId?: string },
): Promise<string> {
  await promisify(execFile)(server.cliPath, [
    'workflow',
    'reset',
    '--address',
    server.address,
    '--namespace',
    'default',
    '--workflow-id',
    run.workflowId,
    '--type',
    'FirstWorkflowTask',
    '--reason',
    'replay fixture: re-run after a fix',
  ]);
  return eventually(
    async () => {
      const latest = (await h.client.workflow.getHandle(run.workflowId).describe()).runId;
      return latest !== run.runId ? latest : undefined;
    },
    { what: 'the reset run' },
  );
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
