import { proxyActivities } from '@temporalio/workflow';
import type { TrivialIncidentInput } from './trivial-workflow-type';

interface TrivialActivities {
  createTrivialIncident(input: TrivialIncidentInput): Promise<void>;
}

const { createTrivialIncident } = proxyActivities<TrivialActivities>({ startToCloseTimeout: '30 seconds' });

/** The ceiling for end-to-end: one activity, one POST, nothing else Temporal has to record. */
export async function trivialIncidentWorkflow(input: TrivialIncidentInput): Promise<void> {
  await createTrivialIncident(input);
}
