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
  /** Height and width every image must have (MNIST and Fashion-MNIST: 28 x 28); unchecked when absent. */
  imageSize?: readonly [number, number];
}

/** Builds an ImageSet from decompressed IDX image and label files, checking they belong together. */
export function imageSetFromIdx(imagesBytes: Uint8Array, labelsBytes: Uint8Array, meta: IdxPairMeta): ImageSet {
  const img = parseIdx(imagesBytes, meta.imagesFile, IDX_IMAGES_MAGIC);
  const lab = parseIdx(labelsBytes, meta.labelsFile, IDX_LABELS_MAGIC);
  if (img.dims.length !== 3) {
    throw new FormatError(`an IDX image file has 3 dimensions [count, height, width], this one has ${img.dims.length} ([${img.dims.join(', ')}])`, { file: meta.imagesFile, offset: 3 });
  }
  const [count, height, width] = img.dims;
  if (height === 0 || width === 0) throw new FormatError(`images of ${height}x${width} pixels hold nothing`, { file: meta.imagesFile, offset: 8 });
  if (meta.imageSize && (height !== meta.imageSize[0] || width !== meta.imageSize[1])) {
    throw new MismatchError(`images are ${height}x${width} pixels; ${meta.name} images are ${meta.imageSize[0]}x${meta.imageSize[1]}`, { file: meta.imagesFile, offset: 8 });
  }
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

/**
 * Checks that a set's images fit a model's per-sample input shape ([height, width, channels], or
 * [features] for a flattened input) before any training, naming the set and both shapes.
 */
export function checkImageShape(set: Pick<ImageSet, 'name' | 'split' | 'height' | 'width' | 'channels' | 'source' | 'count'>, inputShape: readonly number[]): void {
  const image = [set.height, set.width, set.channels];
  const pixels = image.reduce((a, b) => a * b, 1);
  const fits = inputShape.length === 1 ? inputShape[0] === pixels : inputShape.length === 3 && inputShape.every((d, i) => d === image[i]);
  if (!fits) {
    throw new MismatchError(`${set.name} ${set.split} images are [${image.join(', ')}], the model's input is [${inputShape.join(', ')}]`, { file: set.source });
  }
  if (set.count === 0) throw new MismatchError(`${set.name} ${set.split} holds no images`, { file: set.source });
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
