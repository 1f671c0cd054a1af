// Every file a run writes beside its checkpoints (metrics.jsonl, model.json, run.json, report.html).
import { rename, rm, writeFile } from 'node:fs/promises';

/**
 * Writes `path` whole: a temporary file, then a rename, so a reader (or a crash) sees the old
 * content or the new. A failed write (a full disk, a read-only mount) removes the temporary file and
 * names the file it was writing, which keeps its previous content.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`cannot write ${path} (${Buffer.byteLength(text)} bytes): ${code === 'ENOSPC' ? 'ENOSPC: no space left on the device' : (e as Error).message}`, { cause: e });
  }
}
