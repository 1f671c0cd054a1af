// Some stderrs cannot be swapped out and back: a socket (what Node's own stdio 'pipe' gives a child)
// cannot be reopened by path, and a file opened with `2> log` would come back with a fresh offset.
// Node has no dup(), so the original description cannot be kept in this process. It can be kept in
// another one: a `cat` that inherits the original stderr and copies a named pipe into it. Descriptor 2
// then points at that named pipe for the rest of the process, and a pipe can be swapped and restored.

type Fs = typeof import('node:fs');
type ChildProcess = typeof import('node:child_process');

/**
 * Points descriptor 2 at a named pipe copied by a `cat` process into the original stderr. Returns
 * false (descriptor 2 untouched) where that cannot be set up: no mkfifo or cat, or no descriptor 2.
 * Writes keep their order; the relay ends when this process has exited and the pipe is drained.
 */
export function relayStderrThroughPipe(fs: Fs, childProcess: ChildProcess, fifo: string): boolean {
  try {
    const made = childProcess.spawnSync('mkfifo', ['-m', '600', fifo], { stdio: 'ignore' });
    if (made.status !== 0) return false;
    // cat's stdout is our descriptor 2: the same open description, so a file's offset is shared. The
    // shell removes the pipe's name once it holds it open. Its own process group: a Ctrl-C or a signal
    // to our group must not stop what carries our last lines.
    const relay = childProcess.spawn('sh', ['-c', 'exec < "$0" && rm -f "$0" && exec cat', fifo], { stdio: ['ignore', 2, 'ignore'], detached: true });
    relay.on('error', () => undefined);
    relay.unref();
    process.once('exit', () => {
      fs.rmSync(fifo, { force: true });
      if (relay.pid !== undefined) drainAtExit(fs, relay.pid);
    });
    // Read-write: opening a named pipe this way does not wait for the reader, and keeps it open meanwhile.
    const pipe = fs.openSync(fifo, 'r+');
    fs.closeSync(2);
    const fd = fs.openSync(`/proc/self/fd/${pipe}`, 'r+');
    fs.closeSync(pipe);
    if (fd === 2) return true;
    // Another thread's open took descriptor 2 in between (it cannot happen on this thread alone).
    fs.closeSync(fd);
    return false;
  } catch {
    return false;
  }
}

/**
 * At exit, lets the relay copy the last lines before this process ends, so that `spikeflow ... 2> log;
 * cat log` sees them: closing descriptor 2 ends the pipe, then the relay is given up to 2 s to finish.
 */
function drainAtExit(fs: Fs, pid: number): void {
  try {
    fs.closeSync(2);
  } catch {
    return;
  }
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + 2000;
  while (Date.now() < deadline) {
    let state: string;
    try {
      // "PID (cat) S ...": the state after the name; Z once it has exited (it is still our child).
      state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
    } catch {
      return;
    }
    if (state === 'Z' || state === 'X') return;
    Atomics.wait(pause, 0, 0, 5);
  }
}
