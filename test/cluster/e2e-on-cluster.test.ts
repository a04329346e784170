import { describeOnCluster } from './gate';

/**
 * The end-to-end, operator runbook and lifecycle files, unchanged, against the PostgreSQL-backed server that
 * this tier's global setup started: each file's tests and hooks run inside its describe block.
 */
const SUITES = ['hasura-to-incident', 'operator-runbook', 'lifecycle'];

for (const suite of SUITES) {
  describeOnCluster(`test/e2e/${suite}.test.ts on the PostgreSQL-backed Temporal server`, () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(`../e2e/${suite}.test`);
  });
}
