import { loadCifar10Dvs } from '../event-loaders.js';
import { defineEventDataset } from './paper-kinds.js';

/** CIFAR10-DVS: folder of the 10 class folders (or zips), split 90/10 per class; 128x128. */
export const cifar10DvsDataset = defineEventDataset({
  name: 'cifar10-dvs', size: 128, classes: 10, blocks: 4, frames: 20, load: loadCifar10Dvs, paperAccuracy: 74.8, paperOrder: 5,
  description: "the paper's CIFAR10-DVS setting: 4 conv blocks, 20 frames, 90/10 split per class (--data-dir: folder of the 10 class folders or zips)",
});
