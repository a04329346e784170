import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Connection } from '@temporalio/client';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/contract/search-attributes';

export interface DevServerOptions {
  cliPath: string;
  /** 0 picks a free port. */
  port?: number;
  uiPort?: number;
  /** No Web UI (tests that do not need it start faster). */
  headless?: boolean;
  /** SQLite file; without it the server keeps everything in memory. */
  dbFile?: string;
  namespace?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  startupTimeoutMs?: number;
  /** Where the server's own output goes; default: discarded. */
  stdio?: 'inherit' | 'ignore';
  /** Serves the server's Prometheus metrics (among them `action`, the billable-action counter) on this port. */
  metricsPort?: number;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

function devServerArgs(options: DevServerOptions, port: number, uiPort: number): string[] {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--namespace',
    options.namespace ?? 'default',
  ];
  args.push('--log-level', options.logLevel ?? 'warn', '--log-format', 'pretty');
  if (options.metricsPort) args.push('--metrics-port', String(options.metricsPort));
  if (options.headless) args.push('--headless');
  else args.push('--ui-port', String(uiPort));
  if (options.dbFile) {
    // WAL lets readers (visibility, UI) proceed while the history writer commits: ~10x faster on SQLite.
    args.push(
      '--db-filename',
      options.dbFile,
      '--sqlite-pragma',
      'journal_mode=WAL',
      '--sqlite-pragma',
      'synchronous=NORMAL',
    );
  }
  for (const key of ALL_SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=Keyword`);
  return args;
}

/** Resolves once the frontend answers GetSystemInfo (the dev server's and a cluster's alike). */
export async function waitForFrontend(address: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`temporal server exited with code ${child.exitCode}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`temporal server not ready at ${address} after ${timeoutMs} ms: ${String(lastError)}`);
}

export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const port = options.port || (await freePort());
  const uiPort = options.uiPort || (await freePort());
  const child = spawn(options.cliPath, devServerArgs(options, port, uiPort), {
    stdio: ['ignore', options.stdio ?? 'ignore', options.stdio ?? 'ignore'],
  });
  const address = `127.0.0.1:${port}`;
  try {
    await waitForFrontend(address, child, options.startupTimeoutMs ?? 30_000);
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
  const uiUrl = options.headless ? undefined : `http://127.0.0.1:${uiPort}`;
  return { address, uiUrl, process: child, stop: () => stopProcess(child) };
}
