import type { FailureFacts, NotifyChannel } from '../contract';
import type { Notifier } from '../notify';
import type { FailureReport } from '../notify/types';
import type { Logger } from '../logging';
import { workflowUiUrl, type TemporalConfig } from '../config/temporal';
import { boundReport } from '../notify/bounds';

// The workflow sends FailureFacts; the activity adds the Web UI link, which is deployment config.

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

    async notifyFailure(channel: NotifyChannel, facts: FailureFacts): Promise<'sent' | 'skipped'> {
      const report = withLink(facts);
      const outcome = await deps.notifier.send(channel, report);
      deps.logger.info(
        { channel, workflowId: report.workflowId, eventId: report.eventId, trigger: report.trigger, outcome },
        'failure notification',
      );
      return outcome;
    },

    /** The log line is the notification of last resort: it always exists, even with no channel. */
    async logFailure(facts: FailureFacts): Promise<void> {
      const report = boundReport(withLink(facts));
      deps.logger.error({ ...report }, `event ${report.outcome}: ${report.lastError.message}`);
    },
  };
}
