import type { ClusterTierState } from './global-setup';

export default async function clusterGlobalTeardown(): Promise<void> {
  const state = (globalThis as { __clusterTier?: ClusterTierState }).__clusterTier;
  await state?.cluster.stop();
  await state?.postgres.stop();
}
