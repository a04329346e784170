import { createHash } from 'node:crypto';
import type { NotifyChannel } from './types';

/** One park of one run; `park` is the park number, or the activity's id when older workflow code sent none. */
export interface ParkId {
  workflowId: string;
  runId: string;
  park: number | string;
}

/**
 * The key every resend of one notification shares and no other notification has: one park of one
 * run, on one channel. Hex, so it fits a header and a Message-ID whatever the workflow id holds.
 */
export function notificationKey(park: ParkId, channel: NotifyChannel): string {
  return createHash('sha256')
    .update(JSON.stringify([park.workflowId, park.runId, park.park, channel]))
    .digest('hex');
}
