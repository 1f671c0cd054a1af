import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parseIdx } from '../formats/idx.js';
import { FormatError, MismatchError } from '../errors.js';

/** A labelled image split held as bytes: images are [count, height, width, channels] row-major (HWC). */
export interface ImageSet {
  name: string;
  split: 'train' | 'test';
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
  channels: number;
  numClasses: number;
  classNames?: readonly string[];
  /** Where the data came from (folder, URL, package); shown in logs and errors. */
  source: string;
  /** Set when the split is not the official one (e.g. the npm fallbacks). */
  note?: string;
}

export interface IdxPairMeta {
  name: string;
  split: 'train' | 'test';
  imagesFile: string;
  labelsFile: string;
  numClasses: number;
  classNames?: readonly string[];
  source: string;
}

/** Builds an ImageSet from decompressed IDX image and label files, checking they belong together. */
export function imageSetFromIdx(imagesBytes: Uint8Array, labelsBytes: Uint8Array, meta: IdxPairMeta): ImageSet {
  const img = parseIdx(imagesBytes, meta.imagesFile, IDX_IMAGES_MAGIC);
  const lab = parseIdx(labelsBytes, meta.labelsFile, IDX_LABELS_MAGIC);
  const [count, height, width] = img.dims;
  if (lab.dims[0] !== count) {
    throw new MismatchError(`image/label count mismatch: ${meta.imagesFile} has ${count} images but ${meta.labelsFile} has ${lab.dims[0]} labels`, { file: meta.labelsFile });
  }
  checkLabels(lab.data, meta.numClasses, meta.labelsFile, 8);
  return {
    name: meta.name,
    split: meta.split,
    images: img.data,
    labels: lab.data,
    count,
    height,
    width,
    channels: 1,
    numClasses: meta.numClasses,
    classNames: meta.classNames,
    source: meta.source,
  };
}

/** Throws naming the offset of the first label that is not a class index. */
export function checkLabels(labels: Uint8Array, numClasses: number, file: string, headerBytes: number, stride = 1): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= numClasses) {
      throw new FormatError(`label ${labels[i]} of sample ${i} is not a class index (0..${numClasses - 1})`, { file, offset: headerBytes + i * stride });
    }
  }
}

/** Number of samples of each class. */
export function classCounts(set: Pick<ImageSet, 'labels' | 'numClasses'>): number[] {
  const counts = new Array<number>(set.numClasses).fill(0);
  for (const l of set.labels) counts[l]++;
  return counts;
}
