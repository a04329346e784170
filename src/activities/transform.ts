import { Context } from '@temporalio/activity';
import type { EventMapper, MappedEvent } from '../mapping/mapper';
import type { HasuraEvent } from '../workflows/types';
import { toApplicationFailure } from './failures';

export interface TransformInput {
  event: HasuraEvent;
  /** Operator-supplied field values (validated by the workflow) that win over the mapping. */
  overrides?: Record<string, string>;
}

export function createTransformActivities(deps: { mapper: EventMapper }) {
  return {
    async transformEvent(input: TransformInput): Promise<MappedEvent> {
      try {
        const mapped = await deps.mapper.map(input.event);
        return { ...mapped, fields: { ...mapped.fields, ...input.overrides } };
      } catch (error) {
        throw toApplicationFailure(error, { attempt: Context.current().info.attempt });
      }
    },
  };
}
