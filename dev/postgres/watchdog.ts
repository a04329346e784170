import { spawn, type StdioOptions } from 'node:child_process';
import type { Socket } from 'node:net';

/*
 * $1: the server's pid, $2: its data directory, $3: a pid whose end also ends the server (0: none). A line on
 * stdin is stop() releasing the watch; end of file without one means the holder is gone. The postmaster removes
 * postmaster.pid once it has shut down; it gets 10 s for that, then SIGKILL, and the folder goes. An orphan nobody
 * reaps stays a zombie, which `kill -0` would still find: hence /proc.
 */
const WATCH = `
alive() { [ -e "/proc/$1" ] && ! grep -q '^State:.Z' "/proc/$1/status" 2>/dev/null; }
stop() {
  kill -INT "$1" 2>/dev/null
  i=0
  while [ -e "$2/postmaster.pid" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  kill -KILL "$1" 2>/dev/null
  rm -rf "$2"
}
poller=
if [ "$3" != 0 ]; then
  (while alive "$3"; do sleep 0.5; done; stop "$1" "$2") </dev/null &
  poller=$!
fi
if read -r _; then released=1; fi
[ -n "$poller" ] && kill "$poller" 2>/dev/null
[ -n "$released" ] || stop "$1" "$2"
`;

/**
 * Stops a test server once the process that started it is gone, however it went: a SIGKILLed jest run runs no
 * exit handler and no afterAll. A shell in a session of its own (so a signal to the run's process group spares it)
 * reads a pipe whose only writer is this process; the kernel closes the pipe when this process dies, and the
 * shell then stops the server and removes its data directory. A jest worker (a process run over IPC) outlives its
 * killed parent until its test ends, so the shell also watches that parent. Returns the release for stop().
 */
/** Held until released: an unreferenced pipe that were collected would close, and the shell would stop the server. */
const heldPipes = new Set<Socket>();

export function watchServer(serverPid: number, dataDir: string): () => void {
  // Jest's sandboxed `process` copies `connected` but not its events: the parent is watched from outside.
  const parent = process.connected ? process.ppid : 0;
  const args = ['-c', WATCH, 'postgres-watchdog', String(serverPid), dataDir, String(parent)];
  const stdio: StdioOptions = ['pipe', 'ignore', 'ignore'];
  const watcher = spawn('sh', args, { detached: true, stdio });
  const pipe = watcher.stdin as Socket;
  // Neither the shell nor its pipe may keep a test process alive that has nothing else to do.
  watcher.unref();
  pipe.unref();
  pipe.on('error', () => {}); // the shell already gone: nothing to release
  heldPipes.add(pipe);
  return () => {
    heldPipes.delete(pipe);
    pipe.end('released\n');
  };
}
