import {
  execFile,
  execFileSync,
  spawn,
  type ChildProcess,
  type ExecFileSyncOptionsWithStringEncoding,
} from 'node:child_process';
import { once } from 'node:events';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../temporal/dev-server';
import { watchServer } from './watchdog';

const run = promisify(execFile);
const READ_STDOUT: ExecFileSyncOptionsWithStringEncoding = { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] };

/**
 * A real PostgreSQL server for tests and the lifecycle chaos run: Debian's engine (package `postgresql`, installed by .ci/run), its own
 * data directory in a temp folder and a free loopback port, no Unix socket. The server refuses to run as
 * root, so under root it runs as a system user (`postgres`, which the package creates, else `bridgepg`).
 * Trust authentication on loopback only: the tests connect as the superuser without a password.
 */
export interface Postgres {
  host: string;
  port: number;
  /** The superuser the tests connect as. */
  user: string;
  /** Its data directory, a temp folder removed when it stops. */
  dataDir: string;
  url(database?: string): string;
  createDatabase(name: string): Promise<void>;
  /** Runs SQL through psql (until the `pg` client is a dependency) and returns its unaligned output. */
  sql(query: string, database?: string): Promise<string>;
  /** Fast shutdown, then the data directory is removed. Safe to call twice. */
  stop(): Promise<void>;
}

export interface PostgresOptions {
  /** Extra `-c name=value` settings; the defaults trade durability for speed (see TEST_SETTINGS). */
  settings?: Record<string, string>;
  startupTimeoutMs?: number;
}

const SUPERUSER = 'postgres';
const FALLBACK_OS_USER = 'bridgepg';
/** A test server's data dies with the run, so nothing is worth an fsync. */
const TEST_SETTINGS = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '200' };

/** The engine's binaries: $PG_BINDIR, else `pg_config --bindir`, else the newest /usr/lib/postgresql/<v>/bin. */
export function postgresBinDir(): string {
  const candidates = [process.env.PG_BINDIR];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], READ_STDOUT).trim());
  } catch {
    // pg_config comes with libpq-dev, which a server-only install lacks.
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => path.join(debian, v, 'bin')));
  }
  const found = candidates.find((dir) => dir && existsSync(path.join(dir, 'postgres')));
  if (!found) throw new Error("no PostgreSQL server binaries: install Debian's `postgresql` package or set PG_BINDIR");
  return found;
}

interface OsUser {
  uid: number;
  gid: number;
}

function idOf(user: string): OsUser | undefined {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, user], READ_STDOUT));
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

/** Undefined when not root: the server then simply runs as the current user. */
function serverUser(): OsUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const existing = idOf(SUPERUSER) ?? idOf(FALLBACK_OS_USER);
  if (existing) return existing;
  execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', FALLBACK_OS_USER]);
  return idOf(FALLBACK_OS_USER)!;
}

async function waitUntilReady(binDir: string, port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`postgres exited (code ${child.exitCode}) before it was ready`);
    }
    const probe = ['-q', '-h', '127.0.0.1', '-p', String(port)];
    const ready = await run(path.join(binDir, 'pg_isready'), probe).then(
      () => true,
      () => false,
    );
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`postgres not ready on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** SIGINT is PostgreSQL's fast shutdown: sessions are cut, nothing is left to recover. */
async function shutdown(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function serverArgs(dataDir: string, port: number, settings: Record<string, string>): string[] {
  const all = { listen_addresses: '127.0.0.1', port: String(port), unix_socket_directories: '', ...settings };
  return ['-D', dataDir, ...Object.entries(all).flatMap(([key, value]) => ['-c', `${key}=${value}`])];
}

export async function startPostgres(options: PostgresOptions = {}): Promise<Postgres> {
  const binDir = postgresBinDir();
  const user = serverUser();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'incident-bridge-pg-'));
  if (user) chownSync(dataDir, user.uid, user.gid);
  const asServer = { ...(user ?? {}), env: { PATH: process.env.PATH, LANG: 'C', LC_ALL: 'C' } };
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  try {
    const args = ['-D', dataDir, '-U', SUPERUSER, '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync'];
    await run(path.join(binDir, 'initdb'), args, asServer);
  } catch (error) {
    removeDir();
    throw error;
  }
  const port = await freePort();
  const args = serverArgs(dataDir, port, { ...TEST_SETTINGS, ...options.settings });
  const child = spawn(path.join(binDir, 'postgres'), args, { ...asServer, stdio: 'ignore' });
  // A test process that ends without stop() (a crash, SIGKILL, a forgotten afterAll) still takes its server along.
  const release = child.pid === undefined ? () => {} : watchServer(child.pid, dataDir);
  const stop = async () => {
    release();
    await shutdown(child);
    removeDir();
  };
  try {
    await waitUntilReady(binDir, port, child, options.startupTimeoutMs ?? 30_000);
  } catch (error) {
    await stop();
    throw error;
  }
  const url = (database = 'postgres') => `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`;
  const sql = async (query: string, database = 'postgres') => {
    const args = ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url(database), '-c', query];
    return (await run(path.join(binDir, 'psql'), args)).stdout.trim();
  };
  return {
    host: '127.0.0.1',
    port,
    user: SUPERUSER,
    dataDir,
    url,
    sql,
    stop,
    createDatabase: async (name) => void (await sql(`CREATE DATABASE "${name.replaceAll('"', '""')}"`)),
  };
}
