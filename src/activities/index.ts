import type { Logger } from '../logging';
import type { EventMapper } from '../mapping/mapper';
import type { Notifier } from '../notify';
import type { TicketTarget } from '../ticketing/target';
import type { TemporalConfig } from '../config/temporal';
import { createNotifyActivities } from './notify';
import { createTicketActivities } from './ticket';
import { createTransformActivities } from './transform';

export interface ActivityDeps {
  target: TicketTarget;
  mapper: EventMapper;
  notifier: Notifier;
  logger: Logger;
  temporal: Pick<TemporalConfig, 'uiUrl' | 'namespace'>;
}

/** All activities, built from injected dependencies so tests swap a client, not a module. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createTransformActivities(deps),
    ...createTicketActivities(deps),
    ...createNotifyActivities(deps),
  };
}

export type BridgeActivities = ReturnType<typeof createActivities>;
