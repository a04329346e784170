import type { EventPolicy } from '../contract';

/** The worker owns how its ticket work is retried: workflows record this answer in their history. */
export function createWorkerPolicyActivities(deps: { policy: EventPolicy }) {
  return {
    async workerPolicy(): Promise<EventPolicy> {
      return deps.policy;
    },
  };
}
