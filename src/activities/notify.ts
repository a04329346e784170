import { Context } from '@temporalio/activity';
import type { FailureFacts, NotifyChannel } from '../contract';
import type { Notifier } from '../notify';
import type { FailureReport } from '../notify/types';
import type { Logger } from '../logging';
import { workflowUiUrl, type TemporalConfig } from '../config/temporal';
import { boundReport } from '../notify/bounds';
import { notificationKey } from '../notify/idempotency';

// The workflow sends FailureFacts; the activity adds the Web UI link, which is deployment config.

/** Carried to the next attempt of notifyFailure in the heartbeat details of the one that sent. */
interface SendMemo {
  sent: boolean;
  /**
   * What it told (absent from older workers: the same). A change's re-read tells `stuck` from inside itself and
   * retries on (src/activities/inbound-failures.ts): that notice does not stand for its later failure.
   */
  outcome?: FailureFacts['outcome'];
}

export function createNotifyActivities(deps: {
  notifier: Notifier;
  logger: Logger;
  temporal: Pick<TemporalConfig, 'uiUrl' | 'namespace'>;
}) {
  const withLink = (facts: FailureFacts): FailureReport => ({
    ...facts,
    webUiUrl: workflowUiUrl(deps.temporal, facts.workflowId),
  });
  return {
    /** Which channels are configured: the workflow runs one activity each, so each retries alone. */
    async notifyChannels(): Promise<NotifyChannel[]> {
      return deps.notifier.channels();
    },

    /**
     * Once per park and channel: an attempt that sent records it in its heartbeat, and a retry of the
     * activity (its worker died before completing it) finds the record and does not send again. A send
     * the worker could not record is repeated with the same idempotency key, for channels that dedupe.
     */
    async notifyFailure(channel: NotifyChannel, facts: FailureFacts): Promise<'sent' | 'skipped'> {
      const context = Context.current();
      const report = withLink(facts);
      const log = { channel, workflowId: report.workflowId, eventId: report.eventId, trigger: report.trigger };
      const memo = context.info.heartbeatDetails as SendMemo | undefined;
      if (memo?.sent && (memo.outcome ?? facts.outcome) === facts.outcome) {
        deps.logger.info({ ...log, outcome: 'sent' }, 'failure notification already sent by an earlier attempt');
        return 'sent';
      }
      // Facts from workflow code older than park numbers: the activity id is as stable across retries.
      const park = facts.park ?? `activity-${context.info.activityId}${facts.outcome === 'stuck' ? '-stuck' : ''}`;
      const outcome = await deps.notifier.send(channel, report, notificationKey({ ...facts, park }, channel));
      if (outcome === 'sent') context.heartbeat({ sent: true, outcome: facts.outcome } satisfies SendMemo);
      deps.logger.info({ ...log, outcome }, 'failure notification');
      return outcome;
    },

    /** The log line is the notification of last resort: it always exists, even with no channel. */
    async logFailure(facts: FailureFacts): Promise<void> {
      const report = boundReport(withLink(facts));
      deps.logger.error({ ...report }, `event ${report.outcome}: ${report.lastError.message}`);
    },
  };
}
