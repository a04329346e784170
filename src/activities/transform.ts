import { Context } from '@temporalio/activity';
import type { BridgeConfig } from '../config/bridge-config';
import type { EventMapper, MappedEvent } from '../mapping/mapper';
import type { HasuraEvent } from '../workflows/types';
import { toApplicationFailure } from './failures';
import { targetForTrigger } from './targets';

export interface TransformInput {
  event: HasuraEvent;
  /** Operator-supplied field values (validated by the workflow) that win over the mapping. */
  overrides?: Record<string, string>;
}

export interface TransformResult extends MappedEvent {
  /** The configured ticketing target of the event's trigger. */
  target: string;
}

export function createTransformActivities(deps: { mapper: EventMapper; config: Pick<BridgeConfig, 'triggers' | 'defaults'> }) {
  return {
    async transformEvent(input: TransformInput): Promise<TransformResult> {
      try {
        const mapped = await deps.mapper.map(input.event);
        return { ...mapped, fields: { ...mapped.fields, ...input.overrides }, target: targetForTrigger(deps.config, input.event.trigger) };
      } catch (error) {
        throw toApplicationFailure(error, { attempt: Context.current().info.attempt });
      }
    },
  };
}
