import { stat } from 'node:fs/promises';
import { defineDataset, requireDataDir } from '../../registry/dataset.js';
import { paperCifarNet, paperTraining } from '../../presets/paper.js';
import { loadCifar10 } from '../cifar10.js';
import { imageSplits } from './splits.js';

/** CIFAR-10, binary version: its folder or cifar-10-binary.tar.gz. */
export const cifar10Dataset = defineDataset({
  name: 'cifar10',
  inputShape: [32, 32, 3],
  classes: 10,
  async load(o) {
    const dir = requireDataDir('cifar10', o);
    const where = (await stat(dir).catch(() => undefined))?.isFile() ? { archive: dir } : { dir };
    return imageSplits(o, (split) => loadCifar10({ split, ...where }));
  },
  preset: {
    description: "the paper's CIFAR-10 setting: 6 conv layers of 256 channels, T=8 (--data-dir: the binary version's folder or cifar-10-binary.tar.gz)",
    paperAccuracy: 93.5,
    paperOrder: 3,
    model: paperCifarNet(),
    ...paperTraining,
  },
});
