import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/contract/search-attributes';
import { loadCompose, repoPath, serviceNamed } from './stack-files';

const SCRIPT = 'deploy/temporal/register-search-attributes.sh';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { TEMPORAL_SERVER_VERSION } = require('../../scripts/temporal-server.js');

/**
 * A stand-in `temporal` CLI on PATH: logs its arguments, then behaves as FAKE_MODE says.
 * `flaky` fails once with a transient error, then succeeds.
 */
const FAKE_TEMPORAL = `#!/bin/sh
echo "$*" >> "$FAKE_LOG"
case "$FAKE_MODE" in
  ok) exit 0 ;;
  exists) echo "Error: search attribute already exists" >&2; exit 1 ;;
  down) echo "Error: connection refused" >&2; exit 1 ;;
  flaky) if [ -f "$FAKE_LOG.failed" ]; then exit 0; fi; touch "$FAKE_LOG.failed"; echo "Error: namespace default is not found" >&2; exit 1 ;;
esac
exit 2
`;

let fakeDir: string;

beforeEach(() => {
  fakeDir = mkdtempSync(join(tmpdir(), 'fake-temporal-'));
  writeFileSync(join(fakeDir, 'temporal'), FAKE_TEMPORAL);
  chmodSync(join(fakeDir, 'temporal'), 0o755);
});

afterEach(() => rmSync(fakeDir, { recursive: true, force: true }));

function runScript(mode: string): { status: number | null; calls: string[]; stderr: string } {
  const log = join(fakeDir, 'calls.log');
  const result = spawnSync('sh', [repoPath(SCRIPT)], {
    encoding: 'utf8',
    timeout: 10_000,
    env: {
      PATH: `${fakeDir}:${process.env.PATH}`,
      FAKE_LOG: log,
      FAKE_MODE: mode,
      REGISTER_MAX_ATTEMPTS: '3',
      REGISTER_RETRY_DELAY_SECONDS: '0',
    },
  });
  const calls = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
  return { status: result.status, calls, stderr: result.stderr };
}

const namespaceCall = 'operator namespace create --namespace default --address temporal:7233';
const expectedCalls = [
  namespaceCall,
  ...ALL_SEARCH_ATTRIBUTES.map(
    (key) =>
      `operator search-attribute create --namespace default --name ${key.name} --type Keyword --address temporal:7233`,
  ),
];

describe('register-search-attributes.sh (temporal-setup)', () => {
  test('when the server accepts every call, then it creates the namespace and each attribute the workflows set, as Keyword, and exits 0', () => {
    const { status, calls } = runScript('ok');
    expect(status).toBe(0);
    expect(calls).toEqual(expectedCalls);
  });

  test('when the attributes already exist, then it still exits 0', () => {
    const { status, calls } = runScript('exists');
    expect(status).toBe(0);
    expect(calls).toEqual(expectedCalls);
  });

  test('when the first call fails with a transient error, then it retries that call and carries on', () => {
    const { status, calls } = runScript('flaky');
    expect(status).toBe(0);
    expect(calls).toEqual([expectedCalls[0], ...expectedCalls]);
  });

  test('when the server stays unreachable, then it gives up after the bounded attempts and exits non-zero', () => {
    const { status, calls, stderr } = runScript('down');
    expect(status).not.toBe(0);
    expect(calls).toEqual([expectedCalls[0], expectedCalls[0], expectedCalls[0]]);
    expect(stderr).toContain('connection refused');
  });

  test('when compose runs the one-shot, then it mounts and runs this script with the admin-tools image', () => {
    const setup = serviceNamed(loadCompose(), 'temporal-setup');
    expect(setup.image).toBe(`temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`);
    const mount = (setup.volumes ?? []).find(
      (volume) => typeof volume === 'string' && volume.startsWith(`./${SCRIPT}:`),
    );
    const target = typeof mount === 'string' ? mount.split(':')[1] : undefined;
    expect(setup.entrypoint).toEqual(['/bin/sh', target]);
  });
});
