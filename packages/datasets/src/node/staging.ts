// Archives are extracted into a staging folder beside their target and moved into place only when
// the whole archive succeeded, so a failed or killed extraction is never mistaken for a finished one.
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

const STAGE = /^\.extracting-(\d+)-\d+$/;

/** Runs `extract(stage)` in a fresh staging folder inside `target`, then moves what it wrote into `target`. */
export async function extractStaged<T>(target: string, extract: (stage: string) => Promise<T>): Promise<T> {
  await mkdir(target, { recursive: true });
  await removeAbandonedStages(target);
  const stage = join(target, `.extracting-${process.pid}-${Date.now()}`);
  await mkdir(stage);
  try {
    const result = await extract(stage);
    for (const name of await readdir(stage)) await moveInto(join(stage, name), join(target, name));
    return result;
  } finally {
    await rm(stage, { recursive: true, force: true });
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
    if (pid !== undefined && !isRunning(Number(pid))) await rm(join(target, name), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return false; // our own earlier stages are finished or failed
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
