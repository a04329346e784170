import type { Client } from '@temporalio/client';
import { statusQuery, type EventOutcome, type EventStatus } from '../../src/contract';
import { hasuraEventBody } from '../helpers/hasura';
import { eventually } from '../helpers/stack';
import type { Harness, RecordingServer } from './recorder-harness';

/** What the recorder's paths share (record-histories.ts runs them; it is a script, so nothing imports it). */

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
): Promise<EventOutcome> {
  const outcome: EventOutcome = await client.workflow.getHandle(workflowId).result();
  if (outcome.status !== expected)
    throw new Error(`${workflowId}: expected ${expected}, got ${JSON.stringify(outcome)}`);
  return outcome;
}
