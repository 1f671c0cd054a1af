// Loads MNIST / Fashion-MNIST in the browser from URLs (a base URL or one per file) or picked Files.
import { OptionError } from '../errors.js';
import { idxSpec } from '../image/catalog.js';
import { imageSetFromIdx, type ImageSet } from '../image/image-set.js';
import { readSourceInflated, sourceName, type ByteSource, type ReadSourceOptions } from './sources.js';

export interface WebIdxOptions extends ReadSourceOptions {
  dataset: 'mnist' | 'fashion-mnist';
  split: 'train' | 'test';
  /** Folder URL holding the four official .gz files (ends with '/'). */
  baseUrl?: string;
  /** Explicit sources; win over baseUrl. */
  images?: ByteSource;
  labels?: ByteSource;
}

export async function loadIdxImageSetWeb(opts: WebIdxOptions): Promise<ImageSet> {
  const spec = idxSpec(opts.dataset);
  const files = spec.files[opts.split];
  const images = opts.images ?? (opts.baseUrl === undefined ? undefined : new URL(files.images.name, opts.baseUrl).href);
  const labels = opts.labels ?? (opts.baseUrl === undefined ? undefined : new URL(files.labels.name, opts.baseUrl).href);
  if (images === undefined || labels === undefined) {
    throw new OptionError(`loadIdxImageSetWeb: give baseUrl or both images and labels for ${opts.dataset} ${opts.split}`);
  }
  const imagesFile = sourceName(images, files.images.name);
  const labelsFile = sourceName(labels, files.labels.name);
  const [imgBytes, labBytes] = await Promise.all([
    readSourceInflated(images, { fetch: opts.fetch, name: imagesFile }),
    readSourceInflated(labels, { fetch: opts.fetch, name: labelsFile }),
  ]);
  return imageSetFromIdx(imgBytes, labBytes, {
    name: spec.name,
    split: opts.split,
    imagesFile,
    labelsFile,
    numClasses: spec.numClasses,
    classNames: spec.classNames,
    source: opts.baseUrl ?? imagesFile,
    imageSize: [28, 28],
  });
}
