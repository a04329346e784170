import { sleep } from '@temporalio/workflow';

/**
 * For the replay suite's self-check only: the event workflow's type name with a different first
 * command (a timer where the real one upserts search attributes and runs the transform). Replaying
 * a real history against it must fail with a DeterminismViolationError.
 */
export async function hasuraEventWorkflow(): Promise<void> {
  await sleep('1 minute');
}
