/**
 * The cluster tier builds the full Temporal server with Go (minutes, once) and runs it on Debian's
 * PostgreSQL, so it runs only when asked: `.ci/run` sets TEST_TEMPORAL_CLUSTER=1.
 */
export const CLUSTER_TIER = process.env.TEST_TEMPORAL_CLUSTER === '1';

export const SKIP_REASON =
  'cluster tier skipped: TEST_TEMPORAL_CLUSTER is not 1 ' +
  '(it builds the Temporal server with Go and needs Debian\'s PostgreSQL; see README "Tests")';

/** Skipped tests are still listed (and counted as skipped), never silently absent. */
export function describeOnCluster(name: string, body: () => void): void {
  (CLUSTER_TIER ? describe : describe.skip)(name, body);
}
