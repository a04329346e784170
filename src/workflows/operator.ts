import { condition, setHandler } from '@temporalio/workflow';
import { abandonSignal, overridesProblem, retrySignal } from '../contract';
import type { StatusTracker } from './status';

export type OperatorDecision =
  { kind: 'retry'; overrides: Record<string, string> } | { kind: 'abandon'; reason: string } | { kind: 'timeout' };

/**
 * Receives the operator's `retry` / `abandon` signals. Signals arriving while the event is not
 * parked are kept (the latest wins) and act at the next park, so a batch signal is never lost.
 */
export class OperatorInbox {
  private pending?: OperatorDecision;

  constructor(private readonly tracker: StatusTracker) {
    setHandler(retrySignal, (request = {}) => {
      const problem = overridesProblem(request.overrides);
      if (problem) {
        // Rejected without touching the event: it stays parked, the status query says why.
        this.tracker.status.operatorNote = `retry rejected: ${problem}`;
        return;
      }
      this.pending = { kind: 'retry', overrides: request.overrides ?? {} };
      this.tracker.status.operatorNote = request.reason ? `retry requested: ${request.reason}` : 'retry requested';
    });
    setHandler(abandonSignal, (request) => {
      this.pending = { kind: 'abandon', reason: request?.reason || 'abandoned by operator' };
    });
  }

  async waitForDecision(timeoutMs: number): Promise<OperatorDecision> {
    const decided = await condition(() => this.pending !== undefined, timeoutMs);
    const decision = decided && this.pending ? this.pending : { kind: 'timeout' as const };
    this.pending = undefined;
    return decision;
  }
}
