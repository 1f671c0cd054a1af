import { loadNmnist } from '../event-loaders.js';
import { defineEventDataset } from './paper-kinds.js';

/** N-MNIST: folder with Train/ and Test/ (or their zips); 34x34, 10 classes. */
export const nmnistDataset = defineEventDataset({
  name: 'n-mnist', size: 34, classes: 10, blocks: 2, frames: 10, load: loadNmnist, paperAccuracy: 99.61, paperOrder: 4,
  description: "the paper's N-MNIST setting: 2 conv blocks, 10 frames split by event count (--data-dir: folder with Train/ and Test/ or their zips)",
});
