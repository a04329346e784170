import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { hasChange } from './versions';
import { abandonSignal, abandonUpdate, retrySignal, retryUpdate } from '../contract';
import { operatorRequestProblem, overridesProblem, retryRequestProblem } from '../contract';
import type { AbandonRequest, OperatorReply, RetryRequest } from '../contract';
import type { StatusTracker } from './status';

export type OperatorDecision =
  { kind: 'retry'; overrides: Record<string, string> } | { kind: 'abandon'; reason: string } | { kind: 'timeout' };

/**
 * Before this patch a signal that found nothing parked was kept and acted on the next park. Histories
 * recorded then replay that way; with the patch it is ignored, with a note in the status.
 */
export const IGNORE_UNPARKED_SIGNALS_PATCH = '11-ignore-unparked-signals';

const retryDecision = (request: RetryRequest = {}) => ({ kind: 'retry' as const, overrides: request.overrides ?? {} });
const abandonDecision = (request?: AbandonRequest) => ({
  kind: 'abandon' as const,
  reason: request?.reason || 'abandoned by operator',
});

/**
 * The operator's `retry` / `abandon`. As Updates (one event) they are validated first: refused with
 * the reason unless the event is parked and the input is good, so nothing is ever kept for later. As
 * signals (batch by query) they act on a parked event and are ignored, with a note, on any other.
 */
export class OperatorInbox {
  private pending?: OperatorDecision;

  constructor(private readonly tracker: StatusTracker) {
    setHandler(retryUpdate, (request) => this.acceptRetry(request), {
      validator: (request) => this.validate(retryRequestProblem(request)),
    });
    setHandler(abandonUpdate, (request) => this.acceptAbandon(request), {
      validator: (request) => this.validate(operatorRequestProblem(request)),
    });
    setHandler(retrySignal, (request = {}) => {
      const problem = overridesProblem(request.overrides);
      // Rejected without touching the event: it stays parked, the status query says why.
      if (problem) this.tracker.status.operatorNote = `retry rejected: ${problem}`;
      else this.onSignal(retryDecision(request), request.reason);
    });
    setHandler(abandonSignal, (request) => this.onSignal(abandonDecision(request)));
  }

  async waitForDecision(timeoutMs: number): Promise<OperatorDecision> {
    const decided = await condition(() => this.pending !== undefined, timeoutMs);
    const decision = decided && this.pending ? this.pending : { kind: 'timeout' as const };
    this.pending = undefined;
    return decision;
  }

  /** Why no decision can be taken now, or undefined when the event is parked and waits for one. */
  private notParked(): string | undefined {
    if (this.pending) return `already decided: a ${this.pending.kind} was accepted for this park`;
    const { state } = this.tracker.status;
    if (state === 'waiting-for-operator') return undefined;
    return `not parked: the workflow is ${state}; retry and abandon act only on a parked event (query status)`;
  }

  private validate(inputProblem: string | undefined): void {
    const problem = this.notParked() ?? inputProblem;
    if (problem) throw ApplicationFailure.nonRetryable(problem, 'OperatorCommandRejected');
  }

  private acceptRetry(request: RetryRequest = {}): OperatorReply {
    this.pending = retryDecision(request);
    this.tracker.status.operatorNote = request.reason ? `retry accepted: ${request.reason}` : 'retry accepted';
    const fields = Object.keys(this.pending.overrides);
    const using = fields.length ? `with overrides ${fields.join(', ')}` : 'without overrides';
    return { decision: 'retry', message: `retrying ${using}; query status to follow it` };
  }

  private acceptAbandon(request?: AbandonRequest): OperatorReply {
    const decision = abandonDecision(request);
    this.pending = decision;
    this.tracker.status.operatorNote = `abandon accepted: ${decision.reason}`;
    return { decision: 'abandon', message: `abandoned: ${decision.reason}; nothing more is done for this event` };
  }

  private onSignal(decision: OperatorDecision, reason?: string): void {
    const problem = this.notParked();
    if (problem && hasChange(IGNORE_UNPARKED_SIGNALS_PATCH)) {
      this.tracker.status.operatorNote = `${decision.kind} signal ignored: ${problem}`;
      return;
    }
    this.pending = decision;
    if (decision.kind === 'retry')
      this.tracker.status.operatorNote = reason ? `retry requested: ${reason}` : 'retry requested';
  }
}
