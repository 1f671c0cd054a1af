import { defineDataset } from '../../registry/dataset.js';
import { paperEventNet, paperTraining } from '../../presets/paper.js';
import { loadNmnist } from '../event-loaders.js';
import { eventSplits } from './splits.js';

/** N-MNIST: folder with Train/ and Test/ (or their zips); 34x34 frames of two polarities. */
export const nmnistDataset = defineDataset({
  name: 'n-mnist',
  inputShape: [34, 34, 2],
  classes: 10,
  load: (o) => eventSplits('n-mnist', o, loadNmnist),
  preset: {
    description: "the paper's N-MNIST setting: 2 conv blocks, 10 frames split by event count (--data-dir: folder with Train/ and Test/ or their zips)",
    paperAccuracy: 99.61,
    paperOrder: 4,
    model: paperEventNet('plif-n-mnist', 34, 2, 10, 10),
    ...paperTraining,
  },
});
