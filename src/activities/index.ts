import type { Client } from '@temporalio/client';
import type { TemporalConfig } from '../config/temporal';
import type { BridgeActivities, CatchUpCounts, CatchUpInput, EventPolicy, InboundActivities } from '../contract';
import type { ServiceNowChange } from '../contract';
import type { Logger } from '../logging';
import type { EventMapper } from '../mapping/mapper';
import type { Notifier } from '../notify';
import type { TicketTarget } from '../ticketing/ticket-target';
import { createCatchUpActivities } from './catch-up';
import { createEventTicketActivities } from './event-ticket';
import { createInboundActivities } from './inbound';
import { inboundTriggers, type InboundConfigView } from './inbound-triggers';
import { failureReporter } from './inbound-failures';
import { createLifecycleActivities } from './lifecycle';
import { createNotifyActivities } from './notify';
import { createReconcileActivities } from './reconcile';
import { createTicketActivities } from './ticket';
import { createTransformActivities } from './transform';
import { createWorkerPolicyActivities } from './worker-policy';
import { createWriteBackActivities } from './write-back';
import type { RowWriters } from '../source/writers';

export { warningOfCreatesOffTicketingQueue } from './event-ticket';

export interface ActivityDeps {
  /** Ticketing systems by configured name. */
  targets: Record<string, TicketTarget>;
  /** Which trigger uses which target and templates. */
  config: InboundConfigView;
  mapper: EventMapper;
  notifier: Notifier;
  logger: Logger;
  temporal: Pick<TemporalConfig, 'uiUrl' | 'namespace'>;
  /** This worker's retry schedule and deadlines; workflows read them through a local activity. */
  policy: EventPolicy;
  /** For signal-with-start of row workflows (lifecycle triggers). */
  client?: Client;
  /** Starts a ServiceNow change's workflow (the reconciler); absent: no reconciler in this worker. */
  startServiceNowChange?: (change: ServiceNowChange) => Promise<{ duplicate: boolean }>;
  /** The catch-up sweep (with the source database's pool); absent without source.postgres.url. */
  catchUp?: (input: CatchUpInput) => Promise<CatchUpCounts>;
  /** Row writers by `via`, for `writeback:` and `inbound:`; absent in workers with no `source:`. */
  writers?: RowWriters;
}

/** All activities, built from injected dependencies so tests swap a client, not a module. */
export function createActivities(deps: ActivityDeps): BridgeActivities & InboundActivities {
  return {
    ...createInboundActivities({
      ...deps,
      report: failureReporter(createNotifyActivities(deps), deps.logger),
      maximumAttempts: deps.policy.ticketRetry.maximumAttempts,
    }),
    ...createReconcileActivities(deps, inboundTriggers(deps.config)),
    ...createTransformActivities(deps),
    ...createWorkerPolicyActivities(deps),
    ...createTicketActivities(deps),
    ...createEventTicketActivities(deps),
    ...createLifecycleActivities(deps),
    ...createNotifyActivities(deps),
    ...createCatchUpActivities(deps),
    ...createWriteBackActivities(deps),
  };
}
