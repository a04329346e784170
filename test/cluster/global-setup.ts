import { startPostgres, type Postgres } from '../helpers/postgres';
import { startTemporalCluster, type TemporalCluster } from '../helpers/temporal-cluster';
import { CLUSTER_TIER, SKIP_REASON } from './gate';

export interface ClusterTierState {
  postgres: Postgres;
  cluster: TemporalCluster;
}

/**
 * The cluster tier's counterpart of test/helpers/global-setup.ts: one PostgreSQL and one Temporal server
 * on it for the e2e files, reached through the same TEST_TEMPORAL_ADDRESS, so those files run unchanged.
 */
export default async function clusterGlobalSetup(): Promise<void> {
  if (!CLUSTER_TIER) {
    console.log(`\n${SKIP_REASON}`);
    return;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { resolveTemporalCli } = require('../../scripts/temporal-cli.js');
  const cliPath: string = resolveTemporalCli();
  const postgres = await startPostgres();
  try {
    const cluster = await startTemporalCluster({ postgres, databaseName: 'temporal', cliPath });
    process.env.TEMPORAL_CLI_PATH = cliPath;
    process.env.TEST_TEMPORAL_ADDRESS = cluster.address;
    (globalThis as { __clusterTier?: ClusterTierState }).__clusterTier = { postgres, cluster };
  } catch (error) {
    await postgres.stop();
    throw error;
  }
}
