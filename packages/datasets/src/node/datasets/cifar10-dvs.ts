import { defineDataset } from '../../registry/dataset.js';
import { paperEventNet, paperTraining } from '../../presets/paper.js';
import { loadCifar10Dvs } from '../event-loaders.js';
import { eventSplits } from './splits.js';

/** CIFAR10-DVS: folder of the 10 class folders (or zips), split 90/10 per class; 128x128 frames. */
export const cifar10DvsDataset = defineDataset({
  name: 'cifar10-dvs',
  inputShape: [128, 128, 2],
  classes: 10,
  load: (o) => eventSplits('cifar10-dvs', o, loadCifar10Dvs),
  preset: {
    description: "the paper's CIFAR10-DVS setting: 4 conv blocks, 20 frames, 90/10 split per class (--data-dir: folder of the 10 class folders or zips)",
    paperAccuracy: 74.8,
    paperOrder: 5,
    model: paperEventNet('plif-cifar10-dvs', 128, 4, 10, 20),
    ...paperTraining,
  },
});
