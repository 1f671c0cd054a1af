// Archives are extracted into a staging folder beside their target and moved into place only when
// the whole archive succeeded, so a failed or killed extraction is never mistaken for a finished one.
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

const STAGE = /^\.extracting-(\d+)-\d+(-\d+)?$/;

/** Stages of this process's extractions in progress (several may run at once, e.g. train and test). */
const ours = new Set<string>();
let stages = 0;

/** Runs `extract(stage)` in a fresh staging folder inside `target`, then moves what it wrote into `target`. */
export async function extractStaged<T>(target: string, extract: (stage: string) => Promise<T>): Promise<T> {
  await mkdir(target, { recursive: true });
  await removeAbandonedStages(target);
  // pid and time alone repeat when one process starts two extractions within a millisecond.
  const stage = join(target, `.extracting-${process.pid}-${Date.now()}-${++stages}`);
  ours.add(stage); // before it exists, so a concurrent cleanup never takes it for abandoned
  try {
    await mkdir(stage);
    const result = await extract(stage);
    for (const name of await readdir(stage)) await moveInto(join(stage, name), join(target, name));
    return result;
  } finally {
    await rm(stage, { recursive: true, force: true });
    ours.delete(stage);
  }
}

/** Moves `from` to `to`: a rename when `to` is free, else folders merge entry by entry and files replace files. */
async function moveInto(from: string, to: string): Promise<void> {
  const existing = await stat(to).catch(() => undefined);
  if (existing === undefined) return rename(from, to);
  const source = await stat(from);
  if (source.isDirectory() && existing.isDirectory()) {
    for (const name of await readdir(from)) await moveInto(join(from, name), join(to, name));
    return;
  }
  await rm(to, { recursive: true, force: true });
  await rename(from, to);
}

/** Staging folders of processes that no longer run (killed mid-extraction). */
async function removeAbandonedStages(target: string): Promise<void> {
  for (const name of await readdir(target)) {
    const pid = STAGE.exec(name)?.[1];
    const stage = join(target, name);
    if (pid !== undefined && !ours.has(stage) && !isRunning(Number(pid))) await rm(stage, { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return false; // our own stages not in progress are finished or failed
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
