import { log, sleep } from '@temporalio/workflow';
import type { EventPolicy, InboundActivities, InboundDecision, ServiceNowChange } from '../contract';

/**
 * Review 14 (6), (7): a change of a ticket its row workflow does not hold yet (its create's answer is late, or
 * parked; with on_closed: create-new the row still holds the closed ticket meanwhile) waits on durable timers and
 * asks again, instead of failing after the activity's retries (nothing re-drives it) or being ignored for good.
 * Asked at the start of the run: histories from before it read once, retrying on the activity's schedule.
 */
export const WAIT_FOR_ROW_TICKET_PATCH = '14-wait-for-row-ticket';

/** The longest timer between two questions: a row's create parked for hours is asked about twice an hour. */
export const ROW_WAIT_MAX_INTERVAL_MS = 30 * 60_000;

export type SettledDecision = Exclude<InboundDecision, { kind: 'wait' }>;

/**
 * Reads the change, waiting while the row workflow cannot answer yet: the timers back off as the ticket retries do
 * (capped at 30 min) until the park timeout, the time an event waits for its operator. The read at that deadline
 * fails for good if the row still cannot answer, and tells the operators (src/activities/inbound-failures.ts).
 */
export async function readWaitingForRow(
  calls: Pick<InboundActivities, 'readServiceNowChange'>,
  policy: EventPolicy,
  change: ServiceNowChange,
): Promise<SettledDecision> {
  const deadline = Date.now() + policy.parkTimeoutMs;
  const { initialIntervalMs, backoffCoefficient } = policy.ticketRetry;
  let interval = Math.min(initialIntervalMs, ROW_WAIT_MAX_INTERVAL_MS);
  for (let asked = 1; ; asked += 1) {
    const rowNotReady = Date.now() >= deadline ? 'fail' : 'wait';
    const decision = await calls.readServiceNowChange(change, { rowNotReady });
    if (decision.kind !== 'wait') return decision;
    const timer = Math.max(1, Math.min(interval, deadline - Date.now()));
    log.info('ServiceNow change waits for its row workflow', { reason: decision.reason, asked, waitMs: timer });
    await sleep(timer);
    interval = Math.min(interval * Math.max(1, backoffCoefficient), ROW_WAIT_MAX_INTERVAL_MS);
  }
}
