// CIFAR-10 binary version from its folder (data_batch_1..5.bin, test_batch.bin) or from
// cifar-10-binary.tar.gz, which is extracted once (zip-slip checked) into a cache folder.
import { join } from 'node:path';
import { DatasetNotFoundError, MismatchError } from '../errors.js';
import { CIFAR10_CLASSES, parseCifar10Batch, type CifarBatch } from '../formats/cifar10.js';
import type { ImageSet } from '../image/image-set.js';
import { extractTar } from './archives.js';
import { exists, readBytes } from './files.js';
import { defaultCacheDir } from './idx.js';

export interface LoadCifar10Options {
  split: 'train' | 'test';
  /** Folder with the .bin files, or one holding cifar-10-batches-bin/. */
  dir?: string;
  /** cifar-10-binary.tar.gz; extracted into cacheDir on first use. */
  archive?: string;
  cacheDir?: string;
}

const TRAIN = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'];
const TEST = ['test_batch.bin'];

async function batchDir(dir: string, names: string[]): Promise<string | undefined> {
  for (const d of [dir, join(dir, 'cifar-10-batches-bin')]) {
    if (await exists(join(d, names[0]))) return d;
  }
  return undefined;
}

export async function loadCifar10(opts: LoadCifar10Options): Promise<ImageSet> {
  const names = opts.split === 'train' ? TRAIN : TEST;
  let dir: string | undefined;
  if (opts.dir !== undefined) {
    dir = await batchDir(opts.dir, names);
    if (!dir) throw new DatasetNotFoundError(`no ${names[0]} here or in cifar-10-batches-bin/`, { file: opts.dir });
  } else if (opts.archive !== undefined) {
    const cache = opts.cacheDir ?? defaultCacheDir('cifar10');
    dir = await batchDir(cache, names);
    if (!dir) {
      await extractTar(opts.archive, cache, { filter: (p) => p.endsWith('.bin') || p.endsWith('.txt') });
      dir = await batchDir(cache, names);
      if (!dir) throw new DatasetNotFoundError(`archive holds no ${names[0]}: is it the binary version (cifar-10-binary.tar.gz)?`, { file: opts.archive });
    }
  } else {
    throw new DatasetNotFoundError('give { dir } (folder of the .bin files) or { archive } (cifar-10-binary.tar.gz)', { file: 'cifar-10' });
  }
  const batches: CifarBatch[] = [];
  for (const n of names) {
    const file = join(dir, n);
    batches.push(parseCifar10Batch(await readBytes(file), file));
  }
  const count = batches.reduce((s, b) => s + b.count, 0);
  if (opts.split === 'train' && batches.some((b) => b.count !== batches[0].count)) {
    throw new MismatchError(`training batches differ in size (${batches.map((b) => b.count).join(', ')} records): a file is incomplete`, { file: dir });
  }
  const images = new Uint8Array(count * 3072);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const b of batches) {
    images.set(b.images, at * 3072);
    labels.set(b.labels, at);
    at += b.count;
  }
  return { name: 'cifar10', split: opts.split, images, labels, count, height: 32, width: 32, channels: 3, numClasses: 10, classNames: CIFAR10_CLASSES, source: dir };
}
