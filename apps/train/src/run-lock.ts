// One run at a time per --out folder: two runs writing one folder would replace each other's
// checkpoints and metrics without a word.
import { readFileSync, unlinkSync } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UsageError } from './flags.js';

export const LOCK_FILE = 'spikeflow.lock';

interface LockContent {
  pid: number;
  host: string;
  started: string;
}

export interface RunLock {
  /** Removes the lock file (idempotent; also done at process exit, whatever the exit path). */
  release(): Promise<void>;
}

/** True when a process with this pid runs on this machine (EPERM: it runs, as another user). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readLock(file: string): Promise<LockContent | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<LockContent>;
    return typeof parsed.pid === 'number' ? (parsed as LockContent) : undefined;
  } catch {
    return undefined; // missing, or torn by a kill during its write: no live holder to name
  }
}

/** Creates the lock file only if none exists (the single atomic step two runs can race on). */
async function tryCreate(file: string, content: LockContent): Promise<boolean> {
  try {
    const fh = await open(file, 'wx');
    try {
      await fh.writeFile(JSON.stringify(content));
    } finally {
      await fh.close();
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/**
 * Locks the run folder `out` for this process: refused (naming the holder's pid) while another live
 * process holds it; a lock left by a process that is gone (killed) is taken over, with a message.
 */
export async function lockRunFolder(out: string, log: (line: string) => void): Promise<RunLock> {
  const file = join(out, LOCK_FILE);
  const mine: LockContent = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await tryCreate(file, mine)) return holding(file);
    let holder = await readLock(file);
    if (!holder) {
      // Another run may have just created it and not yet written its pid: look again shortly.
      await new Promise((r) => setTimeout(r, 250));
      holder = await readLock(file);
    }
    if (holder && holder.pid !== process.pid && (holder.host !== mine.host || isRunning(holder.pid))) {
      const where = holder.host !== mine.host ? ` on ${holder.host}` : '';
      throw new UsageError(`--out ${out}: another run (pid ${holder.pid}${where}, started ${holder.started}) is writing to this folder; wait for it to end, or give another --out (${file} is its lock)`);
    }
    log(holder ? `--out ${out}: taking over the lock of pid ${holder.pid}, which no longer runs (${file})` : `--out ${out}: replacing an unreadable lock file ${file}`);
    await rm(file, { force: true });
  }
  throw new UsageError(`--out ${out}: could not lock the folder (${file} keeps reappearing: another run is starting there)`);
}

function holding(file: string): RunLock {
  let held = true;
  // Synchronous, so it runs on every exit: process.exit (a second Ctrl-C), an uncaught error...
  const onExit = () => {
    if (held) removeIfMine(file);
  };
  process.on('exit', onExit);
  return {
    async release() {
      if (!held) return;
      held = false;
      process.off('exit', onExit);
      removeIfMine(file);
    },
  };
}

/** Removes the lock only while it is still this process's (a takeover may have replaced it). */
function removeIfMine(file: string): void {
  try {
    if ((JSON.parse(readFileSync(file, 'utf8')) as LockContent).pid === process.pid) unlinkSync(file);
  } catch {
    // already gone
  }
}
