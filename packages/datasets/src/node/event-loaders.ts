// Folder layouts of the three event datasets, as distributed (archives are extracted on first use).
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DatasetNotFoundError, FormatError } from '../errors.js';
import { DVS128_SENSOR } from '../formats/aedat31.js';
import { CIFAR10_CLASSES } from '../formats/cifar10.js';
import { DVS_GESTURE_CLASSES, parseGestureLabels } from '../formats/gesture-labels.js';
import { NMNIST_SENSOR } from '../formats/nmnist.js';
import { createRng, shuffleInPlace } from '../random.js';
import { extractTar, extractZip } from './archives.js';
import { EventDataset, type EventSample, type FramesOptions } from './event-dataset.js';
import { exists } from './files.js';
import { defaultCacheDir } from './idx.js';

/** Names sorted by code point, like Python's sorted(): the order SpikingJelly lists samples in. */
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort(byName);
  } catch (cause) {
    throw new DatasetNotFoundError(`cannot list folder (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`, { file: dir, cause });
  }
}

/** Uses `dir/<name>` when present, else extracts `dir/<name>.zip` (or .tar.gz) into the cache once. */
async function folderOrArchive(root: string, name: string, cacheDir: string): Promise<string> {
  const plain = join(root, name);
  if (await exists(plain)) return plain;
  const extracted = join(cacheDir, name);
  if (await exists(extracted)) return extracted;
  if (await exists(`${plain}.zip`)) {
    await extractZip(`${plain}.zip`, cacheDir);
    if (await exists(extracted)) return extracted;
  } else if (await exists(`${plain}.tar.gz`)) {
    await extractTar(`${plain}.tar.gz`, cacheDir);
    if (await exists(extracted)) return extracted;
  }
  throw new DatasetNotFoundError(`neither the folder ${name}/ nor ${name}.zip / ${name}.tar.gz (holding ${name}/) was found`, { file: root });
}

export interface EventLoadOptions extends FramesOptions {
  root: string;
  split: 'train' | 'test';
  /** Where archives are extracted; default $SPIKEFLOW_DATA/<dataset> or ~/.cache/spikeflow/<dataset>. */
  extractDir?: string;
}

/** N-MNIST: root/Train|Test/<digit>/<id>.bin (or Train.zip / Test.zip), 34x34. */
export async function loadNmnist(o: EventLoadOptions): Promise<EventDataset> {
  const splitDir = await folderOrArchive(o.root, o.split === 'train' ? 'Train' : 'Test', o.extractDir ?? defaultCacheDir('n-mnist'));
  const samples: EventSample[] = [];
  for (let d = 0; d < 10; d++) {
    const dir = join(splitDir, String(d));
    for (const f of await listDir(dir)) {
      if (f.endsWith('.bin')) samples.push({ id: `${o.split}/${d}/${f.slice(0, -4)}`, label: d, file: join(dir, f) });
    }
  }
  const info = { name: 'n-mnist', split: o.split, sensor: NMNIST_SENSOR, numClasses: 10, classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], format: 'nmnist-bin' as const };
  return new EventDataset(info, samples, o);
}

export interface Cifar10DvsOptions extends EventLoadOptions {
  /** Fraction of each class used for training (default 0.9). */
  trainRatio?: number;
  /** When set, each class is shuffled with this seed before the cut; default: first files by name train. */
  splitSeed?: number;
}

/**
 * CIFAR10-DVS: root/<class>/*.aedat (or <class>.zip). No official split: each class is cut
 * trainRatio : 1 - trainRatio in file-name order, as SpikingJelly's split_to_train_test_set.
 */
export async function loadCifar10Dvs(o: Cifar10DvsOptions): Promise<EventDataset> {
  const ratio = o.trainRatio ?? 0.9;
  const extractDir = o.extractDir ?? defaultCacheDir('cifar10-dvs');
  const samples: EventSample[] = [];
  for (let c = 0; c < CIFAR10_CLASSES.length; c++) {
    const cls = CIFAR10_CLASSES[c];
    const dir = await folderOrArchive(o.root, cls, extractDir);
    const files = (await listDir(dir)).filter((f) => f.endsWith('.aedat'));
    if (o.splitSeed !== undefined) shuffleInPlace(files, createRng(o.splitSeed + c));
    const cut = Math.floor(files.length * ratio);
    const mine = o.split === 'train' ? files.slice(0, cut) : files.slice(cut);
    for (const f of mine) samples.push({ id: `${cls}/${f.slice(0, -6)}`, label: c, file: join(dir, f) });
  }
  const info = { name: 'cifar10-dvs', split: o.split, sensor: DVS128_SENSOR, numClasses: 10, classNames: CIFAR10_CLASSES, format: 'cifar10dvs-aedat' as const };
  return new EventDataset(info, samples, o);
}

/** DVS128 Gesture: root/DvsGesture/ (or DvsGesture.tar.gz) with trials_to_train.txt / trials_to_test.txt, recordings and label CSVs. */
export async function loadDvsGesture(o: EventLoadOptions): Promise<EventDataset> {
  const extractDir = o.extractDir ?? defaultCacheDir('dvs128-gesture');
  const dir = (await exists(join(o.root, 'trials_to_train.txt'))) ? o.root : await folderOrArchive(o.root, 'DvsGesture', extractDir);
  const listFile = join(dir, o.split === 'train' ? 'trials_to_train.txt' : 'trials_to_test.txt');
  const trials = (await readText(listFile)).split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  const samples: EventSample[] = [];
  for (const trial of trials) {
    if (!trial.endsWith('.aedat') || basename(trial) !== trial) throw new FormatError(`"${trial}" is not a recording file name`, { file: listFile });
    const stem = trial.slice(0, -6);
    const csv = join(dir, `${stem}_labels.csv`);
    const perLabel = new Array<number>(11).fill(0);
    for (const w of parseGestureLabels(await readText(csv), csv)) {
      samples.push({ id: `${o.split}/${w.label}/${stem}_${perLabel[w.label]++}`, label: w.label, file: join(dir, trial), window: { start: w.start, end: w.end } });
    }
  }
  const info = { name: 'dvs128-gesture', split: o.split, sensor: DVS128_SENSOR, numClasses: 11, classNames: DVS_GESTURE_CLASSES, format: 'aedat3.1' as const };
  return new EventDataset(info, samples, o);
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw new DatasetNotFoundError(`cannot read file (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`, { file: path, cause });
  }
}
