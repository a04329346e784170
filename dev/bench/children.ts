import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { stopProcess } from '../temporal/dev-server';
import { waitFor } from './timing';
import { packageRoot } from '../../src/package-root';

/** A bridge process (webhook, worker, relay) the benchmark runs apart from itself, so they never share a thread. */
export interface BenchChild {
  name: string;
  process: ChildProcess;
  logFile: string;
  /** Resident set size in MiB, from /proc (undefined once the process is gone). */
  rssMb(): number | undefined;
  /** Resolves once the log contains `text`; throws with the log's tail if the process dies or time runs out. */
  waitForLog(text: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<void>;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

/** Last resort on an abrupt exit: no child may outlive the benchmark. */
export function killAllChildren(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** A compiled script by its path below dist/, e.g. ('src', 'worker', 'main.js'). */
export function distScript(...parts: string[]): string {
  return path.join(packageRoot(), 'dist', ...parts);
}

export function readRssMb(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

function logTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

export function spawnNode(
  script: string,
  options: { name: string; env: NodeJS.ProcessEnv; logDir: string },
): BenchChild {
  const logFile = path.join(options.logDir, `${options.name}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [script], { env: options.env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  running.add(child);
  child.once('exit', () => running.delete(child));
  const dead = (): boolean => child.exitCode !== null || child.signalCode !== null;
  return {
    name: options.name,
    process: child,
    logFile,
    rssMb: () => (dead() ? undefined : readRssMb(child.pid)),
    async waitForLog(text, wait) {
      await waitFor(
        () => {
          if (dead()) throw new Error(`${options.name} exited (${child.exitCode ?? child.signalCode})`);
          return readFileSync(logFile, 'utf8').includes(text) ? true : undefined;
        },
        { ...wait, what: `${options.name} to log "${text}"`, intervalMs: 100 },
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${logTail(logFile)}`);
      });
    },
    stop: () => stopProcess(child, 5_000),
  };
}
