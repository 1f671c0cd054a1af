// @tensorflow/tfjs-node installed with --ignore-scripts into a temporary folder: the package is
// there, its native binding is not (the install script that downloads libtensorflow never ran).
// That is exactly what a machine without internet access ends up with.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const VERSION = '4.22.0';

/** The folder (reused between runs), or the reason it could not be made. */
export async function tfjsNodeWithoutBinding(): Promise<{ dir: string } | { skip: string }> {
  const dir = join(tmpdir(), `spikeflow-tfjs-node-${VERSION}-ignore-scripts`);
  if (existsSync(join(dir, 'node_modules/@tensorflow/tfjs-node/package.json'))) return { dir };
  mkdirSync(dir, { recursive: true });
  try {
    await promisify(execFile)('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--no-save', '--prefix', dir, `@tensorflow/tfjs-node@${VERSION}`], { timeout: 240_000 });
    return { dir };
  } catch (e) {
    return { skip: `npm could not install @tensorflow/tfjs-node@${VERSION} --ignore-scripts into ${dir} (${(e as Error).message.split('\n')[0]}); this test runs wherever npm reaches the registry (CI does)` };
  }
}
