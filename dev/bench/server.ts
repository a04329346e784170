import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { packageRoot } from '../../src/package-root';
import { startPostgres } from '../postgres/server';
import { startTemporalCluster, temporalServerBuild } from '../temporal/cluster';
import { freePort, startDevServer } from '../temporal/dev-server';
import type { StorageMode, TemporalKind } from './config';

/** The Temporal server the sections run against (BENCH_TEMPORAL), with its Prometheus page for the `action` counter. */
export interface BenchServer {
  address: string;
  metricsUrl: string;
  /** Names the server in the report: which binary, on which storage. */
  description: string;
  stop(): Promise<void>;
}

export interface BenchServerOptions {
  temporal: TemporalKind;
  storage: StorageMode;
  workDir: string;
}

function temporalCliPath(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { resolveTemporalCli } = require(path.join(packageRoot(), 'scripts', 'temporal-cli.js'));
  return resolveTemporalCli({ quiet: true });
}

async function startDev(options: BenchServerOptions, metricsPort: number): Promise<BenchServer> {
  const dbFile =
    options.storage === 'sqlite'
      ? path.join(options.workDir, `temporal-${randomUUID().slice(0, 8)}.sqlite`)
      : undefined;
  const server = await startDevServer({
    cliPath: temporalCliPath(),
    headless: true,
    dbFile,
    metricsPort,
    startupTimeoutMs: 60_000,
  });
  const storage = dbFile ? 'SQLite (WAL)' : 'in memory';
  return {
    address: server.address,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    description: `dev server (temporal CLI), ${storage}`,
    stop: server.stop,
  };
}

/**
 * The cluster test tier's server (dev/temporal/cluster.ts): the full server on Debian's PostgreSQL with SQL
 * visibility, schema and search attributes set up as the README says. Its log stays in the work dir.
 */
async function startCluster(options: BenchServerOptions, metricsPort: number): Promise<BenchServer> {
  const postgres = await startPostgres();
  try {
    const cluster = await startTemporalCluster({
      postgres,
      databaseName: 'temporal_bench',
      cliPath: temporalCliPath(),
      workDir: options.workDir,
      quiet: true,
      metricsPort,
    });
    const version = await postgres.sql('SHOW server_version');
    return {
      address: cluster.address,
      metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
      description: `temporal server v${temporalServerBuild({ quiet: true }).version} on PostgreSQL ${version}`,
      stop: async () => {
        await cluster.stop().finally(() => postgres.stop());
      },
    };
  } catch (error) {
    await postgres.stop();
    throw error;
  }
}

export async function startBenchServer(options: BenchServerOptions): Promise<BenchServer> {
  const metricsPort = await freePort();
  return options.temporal === 'cluster' ? startCluster(options, metricsPort) : startDev(options, metricsPort);
}
