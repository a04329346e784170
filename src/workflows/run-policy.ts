import { log, proxyLocalActivities } from '@temporalio/workflow';
import { hasChange } from './versions';
import { resolvePolicy, type BridgeActivities, type EventPolicy } from '../contract';

/** Runs recorded before the worker owned the timing have no marker of it: they keep the input's policy. */
export const WORKER_POLICY_PATCH = '15-worker-policy';

const { workerPolicy } = proxyLocalActivities<BridgeActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

/**
 * The retry schedule and deadlines of one run. The worker's config owns them (the process that does
 * the work decides how it is retried); they reach the run in a local activity's result, so replay
 * reads the same values from history. The event workflow learns them from transformEvent's result
 * and asks workerPolicy only when it needs them before that (forwarding, a failed transform).
 * The input's `policy` wins field by field: tests and operators shorten timers with it.
 */
export class RunPolicy {
  private readonly fromWorker: boolean;
  private known?: EventPolicy;

  constructor(private readonly override?: Partial<EventPolicy>) {
    this.fromWorker = hasChange(WORKER_POLICY_PATCH);
    // Recorded before the patch: the input's policy over the defaults, as the run was started.
    if (!this.fromWorker) this.known = resolvePolicy(override);
  }

  /** Takes the worker's policy from a local activity result that carries it. */
  learn(worker: EventPolicy): void {
    if (this.fromWorker) this.known = resolvePolicy(this.override, worker);
  }

  async get(): Promise<EventPolicy> {
    this.known ??= resolvePolicy(this.override, await workerPolicy());
    return this.known;
  }

  /**
   * For parking an event: a worker that cannot answer (the same trouble that failed the step, often)
   * must not fail the event instead of parking it, so the input's policy over the defaults is used.
   */
  async getForPark(): Promise<EventPolicy> {
    try {
      return await this.get();
    } catch (error) {
      log.warn('worker policy unavailable while parking: using the defaults', { error: String(error) });
      return resolvePolicy(this.override);
    }
  }
}
