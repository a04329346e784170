import { Context } from '@temporalio/activity';
import type { BridgeConfig } from '../config/bridge-config';
import type { EventPolicy, TransformInput, TransformResult } from '../contract';
import type { EventMapper } from '../mapping/mapper';
import { toApplicationFailure } from './failures';
import { targetForTrigger } from './targets';
import { writeBackPlanOf } from './write-back';

export interface TransformDeps {
  mapper: EventMapper;
  config: Pick<BridgeConfig, 'triggers' | 'defaults'>;
  policy: EventPolicy;
}

/** The event's ticket fields (operator overrides win), its target and write-backs; the worker's policy rides along. */
export async function mapEvent(deps: TransformDeps, input: TransformInput): Promise<TransformResult> {
  const mapped = await deps.mapper.map(input.event);
  const target = targetForTrigger(deps.config, input.event.trigger);
  // The worker's policy rides along: the workflow needs it next, and this result is already in history.
  const result = { ...mapped, fields: { ...mapped.fields, ...input.overrides }, target, policy: deps.policy };
  // Only when configured: a trigger without write-back keeps the exact result (and history) it had.
  const writeBack = writeBackPlanOf(deps.config, input.event.trigger);
  return writeBack ? { ...result, writeBack } : result;
}

export function createTransformActivities(deps: TransformDeps) {
  return {
    async transformEvent(input: TransformInput): Promise<TransformResult> {
      try {
        return await mapEvent(deps, input);
      } catch (error) {
        throw toApplicationFailure(error, { attempt: Context.current().info.attempt });
      }
    },
  };
}
