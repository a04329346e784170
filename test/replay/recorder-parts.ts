import path from 'node:path';
import { CORRELATION_ENV } from '../helpers/correlation';
import type { FailureReport, Notifier, NotifyChannel } from '../../src/notify';

/* What the recorder's lanes are built from (recorder-harness.ts). */

export const LIFECYCLE_CONFIG = path.resolve(__dirname, '..', 'fixtures', 'lifecycle.yaml');
export const WRITE_BACK_CONFIG = path.resolve(__dirname, '..', 'fixtures', 'write-back.yaml');
// Only to satisfy the config loader: the target and row writer are in-memory ones, nothing is called.
export const UNUSED_ENV = {
  SERVICENOW_INSTANCE_URL: 'http://127.0.0.1:9',
  SERVICENOW_USERNAME: 'unused',
  SERVICENOW_PASSWORD: 'unused',
  WRITEBACK_DB_URL: 'postgres://unused@127.0.0.1:9/unused',
  ...CORRELATION_ENV,
};

/** Counts notifications; one channel so the park path runs the notifyFailure activity too. */
export class CountingNotifier implements Notifier {
  sent = 0;
  channels(): NotifyChannel[] {
    return ['webhook'];
  }
  async send(_channel: NotifyChannel, _report: FailureReport) {
    this.sent += 1;
    return 'sent' as const;
  }
  async close() {}
}
