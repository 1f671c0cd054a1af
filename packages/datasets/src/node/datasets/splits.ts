// What the built-in datasets' loaders share: both splits of an image set, or of an event dataset's
// cached frames, cut to the requested limits.
import type { ImageSet } from '../../image/image-set.js';
import { requireDataDir, type DatasetLoadOptions, type DatasetSplits } from '../../registry/dataset.js';
import { imageSplit, limitImages, limitSource, sourceSplit } from '../../registry/splits.js';
import type { EventDataset } from '../event-dataset.js';
import type { EventLoadOptions } from '../event-loaders.js';

/** Train and test image sets loaded by `load(split)`, limited and shuffled from the options. */
export async function imageSplits(o: DatasetLoadOptions, load: (split: 'train' | 'test') => Promise<ImageSet>): Promise<DatasetSplits> {
  const [train, test] = await Promise.all([load('train'), load('test')]);
  return { train: imageSplit(limitImages(train, o.trainLimit), o.seed), test: imageSplit(limitImages(test, o.testLimit), o.seed) };
}

/** An event dataset's splits as frames (o.frames, default 20) split by event count, cached on disk. */
export async function eventSplits(dataset: string, o: DatasetLoadOptions, load: (options: EventLoadOptions) => Promise<EventDataset>): Promise<DatasetSplits> {
  const root = requireDataDir(dataset, o);
  const frames = o.frames ?? 20;
  const common = { root, frames, splitBy: 'number' as const };
  const [train, test] = await Promise.all([load({ ...common, split: 'train' }), load({ ...common, split: 'test' })]);
  const name = (d: EventDataset, k: number) => `${d.info.name} ${d.info.split} (${k > 0 ? Math.min(k, d.size) : d.size} samples from ${root}, ${frames} frames by event count, cached)`;
  return {
    train: sourceSplit(limitSource(train, o.trainLimit), name(train, o.trainLimit), o.seed),
    test: sourceSplit(limitSource(test, o.testLimit), name(test, o.testLimit), o.seed),
  };
}
