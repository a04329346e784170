import type { Client } from '@temporalio/client';
import type { BridgeConfig } from '../config/bridge-config';
import type { TemporalConfig } from '../config/temporal';
import type { Logger } from '../logging';
import type { EventMapper } from '../mapping/mapper';
import type { Notifier } from '../notify';
import type { TicketTarget } from '../ticketing/target';
import type { EventPolicy } from '../workflows/types';
import { createLifecycleActivities } from './lifecycle';
import { createNotifyActivities } from './notify';
import { createTicketActivities } from './ticket';
import { createTransformActivities } from './transform';

export interface ActivityDeps {
  /** Ticketing systems by configured name. */
  targets: Record<string, TicketTarget>;
  /** Which trigger uses which target and templates. */
  config: Pick<BridgeConfig, 'triggers' | 'defaults'>;
  mapper: EventMapper;
  notifier: Notifier;
  logger: Logger;
  temporal: Pick<TemporalConfig, 'uiUrl' | 'namespace'>;
  /** For signal-with-start of row workflows (lifecycle triggers). */
  client?: Client;
  /** The worker's retry schedule, deadlines and ticketing queue (TICKET_RETRY_*, PARK_TIMEOUT, ...). */
  policy: EventPolicy;
}

/** All activities, built from injected dependencies so tests swap a client, not a module. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createTransformActivities(deps),
    ...createTicketActivities(deps),
    ...createLifecycleActivities(deps),
    ...createNotifyActivities(deps),
  };
}

export type BridgeActivities = ReturnType<typeof createActivities>;
