// Where a run writes (its --out folder): chosen, created and checked before any data is loaded.
import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './flags.js';
import { METRICS_FILE } from './metrics.js';

/** Files that mark a folder as a run's --out folder. */
const RUN_MARKERS = [METRICS_FILE, 'run.json'];

const exists = async (p: string) => (await stat(p).catch(() => undefined)) !== undefined;

/**
 * The folder a run writes to. `--out` when given; else a resume of RUN/last continues in RUN (its
 * metrics, checkpoints and report are there). Any other checkpoint without --out is refused: writing
 * nowhere would throw the work away, and guessing a folder could overwrite another run.
 */
export async function runFolderOf(out: string | undefined, resume: string | undefined, log: (line: string) => void): Promise<string | undefined> {
  if (out !== undefined || resume === undefined) return out;
  const checkpoint = resolve(resume);
  const run = dirname(checkpoint);
  const marked = (await Promise.all(RUN_MARKERS.map((f) => exists(join(run, f))))).some(Boolean);
  if (basename(checkpoint) === 'last' && marked) {
    log(`--resume ${resume} without --out: continuing in its run folder ${run}`);
    return run;
  }
  const why = basename(checkpoint) !== 'last' ? 'it is not the last/ checkpoint of a run folder' : `${run} holds no ${RUN_MARKERS.join(' or ')}, so it is not a run folder`;
  throw new UsageError(`--resume ${resume} without --out: ${why}, so where to write is ambiguous; give --out DIR (the run's folder to continue it, or a new one)`);
}

/** The nearest folder of `path` (itself included) that exists. */
async function nearestExisting(path: string): Promise<string> {
  let p = resolve(path);
  while (!(await exists(p)) && dirname(p) !== p) p = dirname(p);
  return p;
}

/** Why `dir` cannot be written, in words, or undefined when it can. */
async function unwritable(dir: string): Promise<string | undefined> {
  try {
    await access(dir, constants.W_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EROFS') return `${dir} is on a read-only file system`;
    if (code === 'EACCES' || code === 'EPERM') return `${dir} is not writable (permission denied)`;
    return `${dir}: ${(e as Error).message}`;
  }
}

/**
 * Creates the --out folder and checks it can be written, so a read-only mount or a folder without
 * write permission is named before any training (Node's recursive mkdir reports ENOENT for both).
 */
export async function prepareRunFolder(out: string): Promise<void> {
  try {
    await mkdir(out, { recursive: true });
  } catch (e) {
    const ancestor = await nearestExisting(out);
    const isDir = (await stat(ancestor).catch(() => undefined))?.isDirectory() ?? false;
    const why = !isDir ? `${ancestor} is not a folder` : ((await unwritable(ancestor)) ?? (e as Error).message);
    throw new UsageError(`--out ${out}: cannot create the folder: ${why}`);
  }
  if (!(await stat(out)).isDirectory()) throw new UsageError(`--out ${out}: not a folder`);
  const why = await unwritable(out);
  if (why) throw new UsageError(`--out ${out}: cannot write there: ${why}`);
}
