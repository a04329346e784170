import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../dev/temporal/dev-server';
import { eventually } from '../helpers/stack';
import { readmeCommands } from '../helpers/readme';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');

/**
 * Runs the README's Quick start as written: `npm start` (on free ports instead of the defaults, so
 * a developer's own instance is not disturbed), then its curl commands, then Ctrl-C.
 */
let child: ChildProcess | undefined;
let output = '';
const dataDir = mkdtempSync(path.join(tmpdir(), 'ib-readme-'));
afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

test('when the README quick start is followed, then the curl example becomes an incident and Ctrl-C stops everything', async () => {
  const [install, curlPost, curlRecords] = readmeCommands('## Quick start');
  expect(install).toBe('npm ci && npm start');
  const ports = {
    PORT: await freePort(),
    SIMULATOR_PORT: await freePort(),
    TEMPORAL_DEV_PORT: await freePort(),
    TEMPORAL_DEV_UI_PORT: await freePort(),
    METRICS_PORT: await freePort(),
    WORKER_METRICS_PORT: await freePort(),
  };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    BRIDGE_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
  };
  for (const key of ['TEMPORAL_ADDRESS', 'SERVICENOW_INSTANCE_URL', 'WEBHOOK_SECRET', 'TEMPORAL_UI_URL'])
    delete env[key];
  child = spawn('npm', ['start'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  await eventually(() => (output.includes('incident-bridge is running') ? true : undefined), {
    timeoutMs: 120_000,
    what: () => `npm start (output so far: ${output.slice(-1500)})`,
  });
  expect(output).toContain(`http://127.0.0.1:${ports.TEMPORAL_DEV_UI_PORT}`);

  const local = (command: string) =>
    command
      .replace('localhost:3000', `127.0.0.1:${ports.PORT}`)
      .replace('localhost:8090', `127.0.0.1:${ports.SIMULATOR_PORT}`);
  const accepted = JSON.parse((await run('bash', ['-c', local(curlPost)], { cwd: ROOT })).stdout);
  expect(accepted).toMatchObject({
    accepted: true,
    workflowId: 'hasura-create_servicenow_incident-85558393-c75d-4d2f-9c15-e80591b83894',
  });
  const records = await eventually(async () => {
    const { result } = JSON.parse((await run('bash', ['-c', local(curlRecords)], { cwd: ROOT })).stdout);
    return result.length ? result : undefined;
  });
  expect(records).toHaveLength(1);
  expect(records[0].record.short_description).toContain('Payment service returns 502');

  // The README's Metrics commands, against the same running instance.
  const metricsLocal = (command: string) =>
    local(command)
      .replace('localhost:9465', `127.0.0.1:${ports.WORKER_METRICS_PORT}`)
      .replace('localhost:9464', `127.0.0.1:${ports.METRICS_PORT}`);
  const metricsCommands = readmeCommands('## Metrics');
  expect(metricsCommands).toHaveLength(3);
  for (const command of metricsCommands) {
    const { stdout } = await run('bash', ['-c', metricsLocal(command)], { cwd: ROOT });
    expect(stdout.trim().length).toBeGreaterThan(0);
  }

  process.kill(-child.pid!, 'SIGINT');
  // npm re-raises the SIGINT it got, as it does at a terminal; what matters is that everything stopped.
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
    child!.on('exit', (c, s) => resolve([c, s])),
  );
  expect(code === 0 || signal === 'SIGINT').toBe(true);
  for (const port of [ports.TEMPORAL_DEV_UI_PORT, ports.PORT, ports.SIMULATOR_PORT]) {
    await expect(fetch(`http://127.0.0.1:${port}`)).rejects.toThrow();
  }
}, 240_000);
