import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { eventually } from '../helpers/stack';

/*
 * A jest run killed with SIGKILL runs no exit handler and no afterAll: the PostgreSQL servers its suites started
 * (test/helpers/postgres.ts) stayed up, data directories and all, until someone found them with `ps`.
 */
const TS_REGISTER = path.resolve(__dirname, '..', 'observability', 'ts-register.js');
const SERVER = path.resolve(__dirname, '..', '..', 'dev', 'postgres', 'server');
/** Starts a server and holds it, as a jest worker does, saying where it keeps its data. */
const HOLDER = `require(${JSON.stringify(SERVER)}).startPostgres().then((pg) => console.log(pg.dataDir));`;
/** How long the server may outlive its holder. */
const BOUND_MS = 15_000;

let holder: ChildProcess | undefined;
afterAll(() => holder?.kill('SIGKILL'));

/** Alive and not a zombie (an orphan whose exit nobody has collected yet has stopped all the same). */
function running(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

test('when the process holding a server is killed with SIGKILL, then the server stops and its data directory goes', async () => {
  holder = spawn(process.execPath, ['-r', TS_REGISTER, '-e', HOLDER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(holder.stdout!, 'data')) as [Buffer];
  const dataDir = line.toString().trim();
  const postmaster = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  expect(running(postmaster)).toBe(true);

  holder.kill('SIGKILL');
  await eventually(() => (!running(postmaster) && !existsSync(dataDir)) || undefined, {
    timeoutMs: BOUND_MS,
    what: () => `postgres ${postmaster} to stop (running: ${running(postmaster)}) and ${dataDir} to go`,
  });
});
