// Runs the built `spikeflow` command and watches its peak resident memory, so a test can assert
// that bad input is refused quickly and without reading it all.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { BIN, ROOT } from './cli-support.js';

/** The peak is read from /proc (VmHWM): Linux only. */
export const canWatchMemory = existsSync('/proc/self/status');

export interface Watched {
  code: number | null;
  /** Why the watch killed it (too slow, too much memory); undefined when it ended by itself. */
  killedBy?: string;
  stderr: string;
  /** Wall-clock time; on a loaded machine mostly waiting for a core. */
  ms: number;
  /** CPU time (user + system) the command used, as last polled: the work it did. */
  cpuMs: number;
  peakMB: number;
}

/** Clock ticks per second of /proc/PID/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * Runs `spikeflow ARGS`, reading the child's peak resident memory and CPU time every 20 ms. It is
 * killed past `limitMs` (wall clock) or `limitMB`, so an unbounded read shows as a failed test
 * instead of eating the machine.
 */
export function runWatched(args: string[], limitMs = 30_000, limitMB = 500): Promise<Watched> {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c));
  let peakKB = 0;
  let cpuTicks = 0;
  let killedBy: string | undefined;
  const poll = setInterval(() => {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (hwm) peakKB = Math.max(peakKB, Number(hwm[1]));
      // Fields 14 and 15 of stat (utime, stime), counted after the ")" that ends the command name.
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpuTicks = Math.max(cpuTicks, Number(fields[11]) + Number(fields[12]));
    } catch {
      return; // exited between polls
    }
    if (!killedBy && peakKB > limitMB * 1024) killedBy = `over ${limitMB} MB resident`;
    if (!killedBy && performance.now() - started > limitMs) killedBy = `still running after ${limitMs} ms`;
    if (killedBy) child.kill('SIGKILL');
  }, 20);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, killedBy, stderr, ms: performance.now() - started, cpuMs: (cpuTicks * 1000) / TICKS_PER_SECOND, peakMB: peakKB / 1024 });
    }),
  );
}

/** One line for an assertion message: what it printed, its peak and time. */
export const describeRun = (r: Watched) => `${r.stderr.trim()} (peak ${r.peakMB.toFixed(0)} MB, ${r.cpuMs.toFixed(0)} ms of CPU, ${r.ms.toFixed(0)} ms wall)`;
