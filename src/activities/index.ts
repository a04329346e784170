import type { Client } from '@temporalio/client';
import type { BridgeConfig } from '../config/bridge-config';
import type { TemporalConfig } from '../config/temporal';
import type { BridgeActivities, CatchUpCounts, CatchUpInput, EventPolicy } from '../contract';
import type { Logger } from '../logging';
import type { EventMapper } from '../mapping/mapper';
import type { Notifier } from '../notify';
import type { TicketTarget } from '../ticketing/ticket-target';
import { createCatchUpActivities } from './catch-up';
import { createLifecycleActivities } from './lifecycle';
import { createNotifyActivities } from './notify';
import { createTicketActivities } from './ticket';
import { createTransformActivities } from './transform';
import { createWorkerPolicyActivities } from './worker-policy';
import { createWriteBackActivities } from './write-back';
import type { RowWriters } from '../source/writers';

export interface ActivityDeps {
  /** Ticketing systems by configured name. */
  targets: Record<string, TicketTarget>;
  /** Which trigger uses which target and templates. */
  config: Pick<BridgeConfig, 'triggers' | 'defaults'>;
  mapper: EventMapper;
  notifier: Notifier;
  logger: Logger;
  temporal: Pick<TemporalConfig, 'uiUrl' | 'namespace'>;
  /** This worker's retry schedule and deadlines; workflows read them through a local activity. */
  policy: EventPolicy;
  /** For signal-with-start of row workflows (lifecycle triggers). */
  client?: Client;
  /** The catch-up sweep (with the source database's pool); absent without source.postgres.url. */
  catchUp?: (input: CatchUpInput) => Promise<CatchUpCounts>;
  /** Row writers for `writeback:` (by `via`); absent in workers with no `source:`. */
  writers?: RowWriters;
}

/** All activities, built from injected dependencies so tests swap a client, not a module. */
export function createActivities(deps: ActivityDeps): BridgeActivities {
  return {
    ...createTransformActivities(deps),
    ...createWorkerPolicyActivities(deps),
    ...createTicketActivities(deps),
    ...createLifecycleActivities(deps),
    ...createNotifyActivities(deps),
    ...createCatchUpActivities(deps),
    ...createWriteBackActivities(deps),
  };
}
