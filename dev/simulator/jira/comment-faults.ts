import { z } from 'zod';

/**
 * Fails the next `count` comment adds to an existing issue (`POST /issue/{id}/comment`, or an edit carrying
 * `update.comment`) with `status`, the other calls untouched: the second write of a two-call create. A create
 * that carries its comment in `update.comment` is one request, which only the general faults (storm429,
 * errorRate, outage) hit, as a whole.
 */
export const commentAddFaultSchema = z
  .object({
    count: z.number().int().positive(),
    status: z.number().int().min(400).max(599).default(503),
    /** Sent as Retry-After with a 429 or 503. */
    retryAfterSec: z.number().int().min(0).optional(),
  })
  .strict();

export type CommentAddFault = z.input<typeof commentAddFaultSchema>;

export interface CommentAddFailure {
  status: number;
  retryAfterSec?: number;
}

export class CommentAddFaults {
  #fault: z.infer<typeof commentAddFaultSchema> | undefined;
  #remaining = 0;

  set(fault: CommentAddFault | undefined): void {
    this.#fault = fault && commentAddFaultSchema.parse(fault);
    this.#remaining = this.#fault?.count ?? 0;
  }

  /** Consumes one failure when any are left. */
  take(): CommentAddFailure | undefined {
    if (!this.#fault || this.#remaining <= 0) return undefined;
    this.#remaining -= 1;
    return { status: this.#fault.status, retryAfterSec: this.#fault.retryAfterSec };
  }
}
