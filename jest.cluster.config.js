/**
 * The cluster tier (`npm run test:cluster`, gated by TEST_TEMPORAL_CLUSTER=1): the same tests on a real
 * Temporal server backed by PostgreSQL instead of the dev server. See README "Tests".
 * @type {import('jest').Config}
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/cluster'],
  testPathIgnorePatterns: ['/node_modules/'],
  globalSetup: '<rootDir>/test/cluster/global-setup.ts',
  globalTeardown: '<rootDir>/test/cluster/global-teardown.ts',
  // One file at a time: the chaos file runs its own PostgreSQL, server and four bridge processes.
  maxWorkers: 1,
  testTimeout: 120_000,
};
