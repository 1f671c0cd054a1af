// The two families of the paper's datasets: IDX image sets and event-camera recordings. Each dataset
// file names its loader and the paper's figures; its preset is the paper's network for its shape.
import { defineDataset } from '../../registry/dataset.js';
import { paperEventNet, paperImageNet, paperTraining } from '../../presets/paper.js';
import type { ImageSet } from '../../image/image-set.js';
import type { EventDataset } from '../event-dataset.js';
import type { EventLoadOptions } from '../event-loaders.js';
import { eventSplits, imageSplits } from './splits.js';

interface PaperSetting {
  name: string;
  /** The preset's description (what `spikeflow presets` prints). */
  description: string;
  paperAccuracy: number;
  paperOrder: number;
}

/** A 28x28 grey IDX dataset (MNIST's format) read by `load`, with the paper's 128-channel CSNN. */
export function defineIdxDataset(o: PaperSetting & { load: (options: { split: 'train' | 'test'; dir?: string; download: boolean }) => Promise<ImageSet> }) {
  return defineDataset({
    name: o.name,
    inputShape: [28, 28, 1],
    classes: 10,
    load: (opts) => imageSplits(opts, (split) => o.load({ split, dir: opts.dataDir, download: opts.download ?? false })),
    preset: { description: o.description, paperAccuracy: o.paperAccuracy, paperOrder: o.paperOrder, model: paperImageNet(`plif-${o.name}`), ...paperTraining },
  });
}

/**
 * An event-camera dataset on a size x size sensor, integrated into frames, with the paper's event
 * network (`blocks` conv blocks, `frames` time steps).
 */
export function defineEventDataset(o: PaperSetting & { size: number; classes: number; blocks: number; frames: number; load: (options: EventLoadOptions) => Promise<EventDataset> }) {
  return defineDataset({
    name: o.name,
    inputShape: [o.size, o.size, 2],
    classes: o.classes,
    load: (opts) => eventSplits(o.name, opts, o.load),
    preset: {
      description: o.description,
      paperAccuracy: o.paperAccuracy,
      paperOrder: o.paperOrder,
      model: paperEventNet(`plif-${o.name}`, o.size, o.blocks, o.classes, o.frames),
      ...paperTraining,
    },
  });
}
