import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { TicketStatus } from '../../src/contract/search-attributes';
import { packageRoot } from '../../src/package-root';
import { readmeCommands } from '../readme';
import { ClusterServer, type PostgresEndpoint, type TemporalServerBuild } from './cluster-server';

const run = promisify(execFile);

/**
 * A real Temporal server on PostgreSQL, set up the way the README tells an operator to set up a cluster: the
 * cluster test tier's server (test/cluster/global-setup.ts, the chaos run) and `BENCH_TEMPORAL=cluster npm run bench`.
 */
export interface TemporalCluster {
  address: string;
  server: ClusterServer;
  /** Holds the server's log (temporal-server.log). */
  workDir: string;
  stop(options?: { keepWorkDir?: boolean }): Promise<void>;
}

export interface TemporalClusterOptions {
  postgres: PostgresEndpoint;
  /** Prefix of the server's two databases, so several servers can share one PostgreSQL. */
  databaseName: string;
  cliPath: string;
  /** Where the server log goes; by default a temp folder that stop() removes. A given folder is the caller's. */
  workDir?: string;
  /** No progress lines from the build script (once the global setup has said what it built). */
  quiet?: boolean;
  /** Exposes the server's Prometheus metrics (the benchmark reads its `action` counter) on this loopback port. */
  metricsPort?: number;
}

/** Builds (once, ~6 minutes) or finds the server binaries: scripts/temporal-server.js. */
export function temporalServerBuild(options: { quiet?: boolean } = {}): TemporalServerBuild {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { resolveTemporalServer } = require(path.join(packageRoot(), 'scripts', 'temporal-server.js'));
  return resolveTemporalServer(options);
}

/** The README's one-time cluster setup (namespace, search attributes), command for command. */
const readmeClusterSetup = (): string[] =>
  readmeCommands('### With the `temporal` CLI').filter((line) => line.startsWith('temporal operator '));
const SETUP_ATTEMPTS = 30;

/** Right after start the frontend may not serve the namespace yet; a retried success reports "already exists". */
async function runReadmeCommand(line: string, cliPath: string, address: string): Promise<void> {
  const command = line.replace(/^temporal /, `'${cliPath}' `);
  for (let attempt = 1; ; attempt += 1) {
    const env = { ...process.env, TEMPORAL_ADDRESS: address };
    const outcome = await run('bash', ['-c', command], { env, timeout: 30_000 }).then(
      () => undefined,
      (error: { stderr?: string; message: string }) => String(error.stderr || error.message),
    );
    if (outcome === undefined || /already exists/i.test(outcome)) return;
    if (attempt >= SETUP_ATTEMPTS) {
      throw new Error(`README command failed ${attempt} times: ${line}: ${outcome.trim()}`);
    }
    await sleep(1_000);
  }
}

/** Until the frontend knows the namespace and visibility knows the attributes, a start or a query could fail. */
async function waitUntilSearchable(address: string, timeoutMs = 60_000): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const query = `${TicketStatus.name}='received'`;
      const count = connection.workflowService.countWorkflowExecutions({ namespace: 'default', query });
      const ok = await count.then(
        () => true,
        (error) => {
          if (Date.now() > deadline)
            throw new Error(`namespace default not searchable after ${timeoutMs} ms: ${error}`);
          return false;
        },
      );
      if (ok) return;
      await sleep(500);
    }
  } finally {
    await connection.close();
  }
}

export async function startTemporalCluster(options: TemporalClusterOptions): Promise<TemporalCluster> {
  const ownDir = !options.workDir;
  const workDir = options.workDir ?? mkdtempSync(path.join(tmpdir(), `incident-bridge-${options.databaseName}-`));
  const server = await ClusterServer.start({
    build: temporalServerBuild({ quiet: options.quiet }),
    postgres: options.postgres,
    databaseName: options.databaseName,
    logFile: path.join(workDir, 'temporal-server.log'),
    metricsPort: options.metricsPort,
  }).catch((error) => {
    throw new Error(`${error.message} (work dir kept: ${workDir})`);
  });
  const stop = async ({ keepWorkDir = false } = {}) => {
    await server.close();
    if (ownDir && !keepWorkDir) rmSync(workDir, { recursive: true, force: true });
  };
  try {
    for (const line of readmeClusterSetup()) await runReadmeCommand(line, options.cliPath, server.address);
    await waitUntilSearchable(server.address);
  } catch (error) {
    await stop({ keepWorkDir: true });
    throw new Error(`${(error as Error).message} (server log in ${workDir})`);
  }
  return { address: server.address, server, workDir, stop };
}
