import { log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { hasChange } from './versions';
import type { BridgeActivities, EventStatus, FailureFacts, HasuraEvent } from '../contract';

const notifyActivities = proxyActivities<BridgeActivities>({
  startToCloseTimeout: '30 seconds',
  // A notification outage must not hold the event: bounded retries, then give up on that channel.
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 8 },
});

/**
 * Before this patch a log step or channel list that failed for good failed the workflow instead of
 * parking it; histories recorded then replay that way. With it, the failure is logged and the event parks.
 */
export const NOTIFY_CANNOT_FAIL_PATCH = '11-notify-cannot-fail';

const warned =
  <T>(step: string, fallback: T) =>
  (error: unknown): T => {
    log.warn(`notification step failed: ${step}`, { error: String(error) });
    return fallback;
  };

const survived =
  <T>(step: string, fallback: T) =>
  (error: unknown): T => {
    if (!hasChange(NOTIFY_CANNOT_FAIL_PATCH)) throw error;
    return warned(step, fallback)(error);
  };

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
    park: status.parks,
  };
  await notifyActivities.logFailure(facts).catch(survived('log', undefined));
  const channels = await notifyActivities.notifyChannels().catch(survived('list channels', []));
  await Promise.all(
    channels.map((channel) =>
      notifyActivities.notifyFailure(channel, facts).catch(warned(`channel ${channel}`, 'skipped')),
    ),
  );
}
