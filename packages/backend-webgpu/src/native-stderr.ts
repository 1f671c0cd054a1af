// Dawn writes its startup warnings (e.g. "maxDynamicUniformBuffersPerPipelineLayout artificially
// reduced ...") with C's fprintf to file descriptor 2, out of reach of process.stderr. Node has no
// dup2, but close() + open() reuses the lowest free descriptor: closing 2 and opening a file puts
// that file at 2. Reopening /proc/self/fd/2 first keeps a way back to the original stderr.

/** What ran while descriptor 2 pointed at a file, and what was written to it meanwhile. */
export interface Captured<T> {
  value: T;
  /** Everything written to descriptor 2 meanwhile (native code and JS alike); '' when not captured. */
  text: string;
  /** False where descriptor 2 could not be swapped safely: the output went to stderr as usual. */
  captured: boolean;
}

import { relayStderrThroughPipe } from './stderr-relay.js';

type Fs = typeof import('node:fs');

/** A Node built-in, imported by a computed name: bundlers for the browser must not try to include it. */
export const nodeBuiltin = <T>(name: string): Promise<T> => import(/* @vite-ignore */ `node:${name}`) as Promise<T>;

/**
 * Whether descriptor 2 can be reopened by path and written through the new description without
 * reordering output: terminals, pipes and character devices, and regular files opened for appending
 * (`2>> log`). Not a file opened with `2> log` (or `> log 2>&1`): its offset lives in the original
 * description, shared with stdout or a later writer of the shell, which the reopened one would not
 * advance, so their next writes would overwrite ours.
 */
function reopenable(fs: Fs): boolean {
  const err = fs.fstatSync(2);
  if (err.isCharacterDevice() || err.isFIFO()) return true;
  if (!err.isFile()) return false;
  const flags = /^flags:\s*([0-7]+)/m.exec(fs.readFileSync('/proc/self/fdinfo/2', 'utf8'));
  const O_APPEND = 0o2000;
  return flags !== null && (parseInt(flags[1], 8) & O_APPEND) !== 0;
}

/** Points descriptor 2 at `path` (closing what it held); returns false if another descriptor took 2. */
function pointStderrAt(fs: Fs, path: string, flags: string): boolean {
  try {
    fs.closeSync(2);
  } catch {
    // Already closed: a failed swap left it so.
  }
  const fd = fs.openSync(path, flags);
  if (fd === 2) return true;
  fs.closeSync(fd);
  return false;
}

export interface CaptureOptions {
  /**
   * When stderr cannot be reopened (a socket, a file opened with `2> log`), first route descriptor 2
   * for good through a named pipe that a `cat` process copies into the original stderr (see
   * stderr-relay.ts), so the capture works there too. Without it, `fn` runs with stderr untouched.
   */
  relay?: boolean;
}

/**
 * Runs `fn` with descriptor 2 pointed at a temporary file, then restores it and returns what was
 * written. Linux only (it needs /proc/self/fd); elsewhere, or when stderr is something it cannot
 * reopen safely (a socket, a file not opened for appending) and `relay` is off, `fn` runs with
 * stderr untouched.
 */
export async function captureNativeStderr<T>(fn: () => Promise<T>, options: CaptureOptions = {}): Promise<Captured<T>> {
  const onLinux = typeof process !== 'undefined' && process.platform === 'linux';
  if (!onLinux) return { value: await fn(), text: '', captured: false };
  const fs = await nodeBuiltin<Fs>('fs');
  const { tmpdir } = await nodeBuiltin<typeof import('node:os')>('os');
  const { join } = await nodeBuiltin<typeof import('node:path')>('path');
  let original: number;
  try {
    if (!reopenable(fs)) {
      const relayed = options.relay && relayStderrThroughPipe(fs, await nodeBuiltin('child_process'), join(tmpdir(), `spikeflow-stderr-${process.pid}-${Date.now()}`));
      if (!relayed) return { value: await fn(), text: '', captured: false };
    }
    original = fs.openSync('/proc/self/fd/2', 'a');
  } catch {
    return { value: await fn(), text: '', captured: false };
  }
  const file = join(tmpdir(), `spikeflow-dawn-${process.pid}-${Date.now()}.log`);
  try {
    const swapped = pointStderrAt(fs, file, 'w');
    const value = await fn();
    return { value, text: swapped ? fs.readFileSync(file, 'utf8') : '', captured: swapped };
  } finally {
    // Back to the original stderr, whatever fn did.
    pointStderrAt(fs, `/proc/self/fd/${original}`, 'a');
    fs.closeSync(original);
    fs.rmSync(file, { force: true });
  }
}

/** Dawn's own log lines ("Warning: ...", "Info: ..."), as opposed to anything else written meanwhile. */
export const DAWN_LOG_LINE = /^(Warning|Info|Debug): /;
