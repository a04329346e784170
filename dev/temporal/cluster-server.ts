import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { packageRoot } from '../../src/package-root';
import { stopProcess, waitForFrontend } from './dev-server';

const run = promisify(execFile);

/**
 * The full Temporal server (frontend, history, matching and worker services in one process) on PostgreSQL
 * with SQL visibility: what a cluster runs, as opposed to the CLI's SQLite dev server. It is configured the
 * way the compose file configures the `temporalio/server` image: the server's embedded config template,
 * filled from environment variables (DB=postgres12, POSTGRES_SEEDS, ...), so what works here is what the
 * compose file asks for. Binaries and schema files come from scripts/temporal-server.js.
 */
export interface TemporalServerBuild {
  server: string;
  sqlTool: string;
  /** The versioned schema folders; their parent's parent is the postgresql/v12 folder. */
  schema: { temporal: string; visibility: string };
  version: string;
}

/** Where PostgreSQL listens and who to connect as (dev/postgres/server.ts provides one). */
export interface PostgresEndpoint {
  host: string;
  port: number;
  user: string;
  password?: string;
}

export interface ClusterServerOptions {
  build: TemporalServerBuild;
  postgres: PostgresEndpoint;
  /** Prefix of this server's two databases: `<name>` and `<name>_visibility`. */
  databaseName: string;
  /** The server's own log (it is chatty); appended across restarts. */
  logFile: string;
  /** Defaults to the compose file's dynamic config, so tests run with the settings a deployment gets. */
  dynamicConfigFile?: string;
  /** Exposes the server's Prometheus metrics (e.g. `action`) on this loopback port. */
  metricsPort?: number;
  startupTimeoutMs?: number;
}

/** The persistence plugin, as compose's DB variable names it. */
export const DB_PLUGIN = 'postgres12';
/** Compose's dynamic config and schema job, repo-relative: the server here runs with both. */
export const COMPOSE_DYNAMIC_CONFIG = 'deploy/temporal/dynamicconfig/incident-bridge.yaml';
export const SCHEMA_SCRIPT = 'deploy/temporal/setup-postgres-schema.sh';
const PORT_VARIABLES = [
  'FRONTEND_GRPC_PORT',
  'FRONTEND_HTTP_PORT',
  'FRONTEND_MEMBERSHIP_PORT',
  'MATCHING_GRPC_PORT',
  'MATCHING_MEMBERSHIP_PORT',
  'HISTORY_GRPC_PORT',
  'HISTORY_MEMBERSHIP_PORT',
  'WORKER_GRPC_PORT',
  'WORKER_MEMBERSHIP_PORT',
] as const;

/**
 * The server stores membership ports in a PostgreSQL smallint, so they must stay below 32768, under the
 * kernel's ephemeral range (where port 0 would land); random picks there, retried while taken.
 */
async function freeLowPort(): Promise<number> {
  for (let attempt = 0; ; attempt += 1) {
    const port = randomInt(20_000, 32_000);
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (bound) {
      await new Promise((resolve) => server.close(resolve));
      return port;
    }
    if (attempt > 50) throw new Error('no free loopback port between 20000 and 32000');
  }
}

function databaseEnv(options: ClusterServerOptions): Record<string, string> {
  const { postgres } = options;
  return {
    DB: DB_PLUGIN,
    POSTGRES_SEEDS: postgres.host,
    DB_PORT: String(postgres.port),
    POSTGRES_USER: postgres.user,
    POSTGRES_PWD: postgres.password ?? '',
    DBNAME: options.databaseName,
    VISIBILITY_DBNAME: `${options.databaseName}_visibility`,
  };
}

/** Runs the compose file's schema job (deploy/temporal/setup-postgres-schema.sh) with the built sql tool. */
export async function setupClusterSchema(options: ClusterServerOptions): Promise<void> {
  const env = {
    PATH: `${path.dirname(options.build.sqlTool)}${path.delimiter}${process.env.PATH}`,
    SCHEMA_DIR: path.dirname(path.dirname(options.build.schema.temporal)),
    ...databaseEnv(options),
  };
  await run('sh', [path.join(packageRoot(), SCHEMA_SCRIPT)], { env, timeout: 120_000 }).catch((error) => {
    const tail = String(error.stderr || error.message)
      .trim()
      .split('\n')
      .slice(-3)
      .join(' | ');
    throw new Error(`temporal schema setup failed: ${tail}`);
  });
}

/** A server on fixed loopback ports, so it can be killed and started again on the same database and address. */
export class ClusterServer {
  private child?: ChildProcess;
  private closed = false;

  private constructor(
    private readonly options: ClusterServerOptions,
    private readonly ports: Record<(typeof PORT_VARIABLES)[number], number>,
  ) {}

  /** Applies the schema (idempotent), then starts the server and waits for its frontend. */
  static async start(options: ClusterServerOptions): Promise<ClusterServer> {
    await setupClusterSchema(options);
    const ports = {} as Record<(typeof PORT_VARIABLES)[number], number>;
    for (const name of PORT_VARIABLES) ports[name] = await freeLowPort();
    const server = new ClusterServer(options, ports);
    await server.boot();
    return server;
  }

  get address(): string {
    return `127.0.0.1:${this.ports.FRONTEND_GRPC_PORT}`;
  }

  private env(): NodeJS.ProcessEnv {
    const { options } = this;
    return {
      PATH: process.env.PATH,
      ...databaseEnv(options),
      BIND_ON_IP: '127.0.0.1',
      ...Object.fromEntries(Object.entries(this.ports).map(([name, port]) => [name, String(port)])),
      DYNAMIC_CONFIG_FILE_PATH: options.dynamicConfigFile ?? path.join(packageRoot(), COMPOSE_DYNAMIC_CONFIG),
      LOG_LEVEL: 'warn',
      ...(options.metricsPort ? { PROMETHEUS_ENDPOINT: `127.0.0.1:${options.metricsPort}` } : {}),
    };
  }

  private async boot(): Promise<void> {
    const log = openSync(this.options.logFile, 'a');
    try {
      const args = ['--allow-no-auth', 'start'];
      this.child = spawn(this.options.build.server, args, { env: this.env(), stdio: ['ignore', log, log] });
    } finally {
      closeSync(log);
    }
    // A process that ends without close() (a signal handler's exit, a crash) still takes its server along.
    const child = this.child;
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    try {
      await waitForFrontend(this.address, this.child, this.options.startupTimeoutMs ?? 90_000);
    } catch (error) {
      await stopProcess(this.child);
      throw new Error(`${(error as Error).message} (server log: ${this.options.logFile})`);
    }
  }

  /** SIGTERM: the server's graceful shutdown; SIGKILL: a crash. Then it starts again after `downMs`. */
  async restart(options: { signal: 'SIGKILL' | 'SIGTERM'; downMs: number }): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      if (options.signal === 'SIGTERM') await stopProcess(child, 30_000);
      else {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }
    }
    await sleep(options.downMs);
    if (!this.closed) await this.boot();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.child) await stopProcess(this.child, 30_000);
  }
}
