import { log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { BridgeActivities, EventStatus, FailureFacts, HasuraEvent } from '../contract';

const notifyActivities = proxyActivities<BridgeActivities>({
  startToCloseTimeout: '30 seconds',
  // A notification outage must not hold the event: bounded retries, then give up on that channel.
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 8 },
});

/** Tells people once per park: the log always, then every configured channel, each retried alone. */
export async function notifyOperators(event: HasuraEvent, status: EventStatus): Promise<void> {
  const { workflowId, runId } = workflowInfo();
  const facts: FailureFacts = {
    workflowId,
    runId,
    trigger: event.trigger,
    table: `${event.table.schema}.${event.table.name}`,
    op: event.op,
    eventId: event.eventId,
    rowKey: status.rowKey,
    lastError: status.lastError ?? { message: 'unknown error' },
    attempts: status.attempts,
    occurredAt: status.updatedAt,
    outcome: 'parked',
    parkedUntil: status.parkedUntil,
  };
  await notifyActivities.logFailure(facts);
  const channels = await notifyActivities.notifyChannels();
  await Promise.all(
    channels.map((channel) =>
      notifyActivities
        .notifyFailure(channel, facts)
        .catch((error) => log.warn('notification channel failed', { channel, error: String(error) })),
    ),
  );
}
