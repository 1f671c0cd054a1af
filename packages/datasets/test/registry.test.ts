import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '@spikeflow/core';
import { createRng, DataDirRequiredError, DatasetError, datasets, defineDataset, syntheticDataset, syntheticSplit, UnknownDatasetError, type DatasetDefinition } from '@spikeflow/datasets/node';

const BUILT_IN = ['fashion-mnist', 'mnist', 'cifar10', 'n-mnist', 'cifar10-dvs', 'dvs128-gesture', 'synthetic'];

describe('the dataset registry', () => {
  it('holds the built-in datasets, in order, with their shapes, classes and presets', () => {
    expect(datasets.names()).toEqual(BUILT_IN);
    const shapes = Object.fromEntries(datasets.list().map((d) => [d.name, [d.inputShape, d.classes]]));
    expect(shapes).toEqual({
      'fashion-mnist': [[28, 28, 1], 10],
      mnist: [[28, 28, 1], 10],
      cifar10: [[32, 32, 3], 10],
      'n-mnist': [[34, 34, 2], 10],
      'cifar10-dvs': [[128, 128, 2], 10],
      'dvs128-gesture': [[128, 128, 2], 11],
      synthetic: [[28, 28, 1], 10],
    });
    // Each preset's model takes what its dataset gives.
    for (const d of datasets.list()) expect(d.preset!.model.input.shape).toEqual(d.inputShape);
  });

  it('an unknown name throws UnknownDatasetError listing the known ones; inherited names never resolve', () => {
    for (const name of ['fashion', '__proto__', 'toString', 'hasOwnProperty', '']) {
      expect(datasets.has(name)).toBe(false);
      let error: unknown;
      try {
        datasets.get(name);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UnknownDatasetError);
      expect((error as Error).message).toContain(`unknown dataset ${JSON.stringify(name)}; known: ${BUILT_IN.join(', ')}`);
    }
    expect(() => datasets.get('fashion-mnst')).toThrow('(did you mean "fashion-mnist"?)');
  });

  it('refuses a second dataset of a name, and bad definitions, saying what is wrong', () => {
    const load: DatasetDefinition['load'] = async () => ({ train: syntheticSplit(4, 1, 2, [2]), test: syntheticSplit(4, 2, 2, [2]) });
    expect(() => defineDataset({ name: 'mnist', inputShape: [28, 28, 1], classes: 10, load })).toThrow('defineDataset("mnist"): a dataset of that name is already registered');
    expect(() => defineDataset({ name: 'Bad Name', inputShape: [2], classes: 2, load })).toThrow(DatasetError);
    expect(() => defineDataset({ name: 'flat', inputShape: [0], classes: 2, load })).toThrow('defineDataset("flat"): inputShape must be a non-empty list of positive integers, got [0]');
    expect(() => defineDataset({ name: 'flat', inputShape: [2], classes: 0, load })).toThrow('defineDataset("flat"): classes must be an integer >= 1, got 0');
    expect(datasets.has('flat')).toBe(false);
    const tiny = defineDataset({ name: 'tiny', inputShape: [2], classes: 2, load });
    expect(datasets.get('tiny')).toBe(tiny);
    expect(datasets.names().at(-1)).toBe('tiny');
  });

  it('datasets that read files need dataDir, and say which dataset', async () => {
    for (const name of ['cifar10', 'n-mnist', 'cifar10-dvs', 'dvs128-gesture']) {
      const error = await datasets.get(name).load({ trainLimit: 0, testLimit: 0, seed: 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataDirRequiredError);
      expect((error as DataDirRequiredError).dataset).toBe(name);
    }
  });

  it('the synthetic dataset loads without files: limits, seeds and fresh noise per epoch', async () => {
    const { train, test } = await datasets.get('synthetic').load({ trainLimit: 20, testLimit: 0, seed: 3, dataDir: mkdtempSync(join(tmpdir(), 'unused-')) });
    expect([train.count, test.count, train.numClasses, train.sampleShape]).toEqual([20, 512, 10, [28, 28, 1]]);
    expect(train.source).toBe('synthetic 10-class task (20 samples, seed 3)');
    const first = async (epoch: number) => {
      const it = train.batches(8, epoch, true);
      const b = (await it.next()).value!;
      await it.return(undefined);
      const out = [b.xs.shape, Array.from(await b.ys.data()), Array.from(await b.xs.data())];
      tf.dispose([b.xs, b.ys]);
      return out;
    };
    const [shape, labels, e0] = await first(0);
    expect(shape).toEqual([8, 28, 28, 1]);
    expect(labels).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(await first(0)).toEqual([shape, labels, e0]);
    expect((await first(1))[2]).not.toEqual(e0);
  });
});

describe('one PRNG', () => {
  it("datasets' createRng is core's seededRandom (mulberry32), and the synthetic task is unchanged", () => {
    expect(createRng).toBe(seededRandom);
    const r = seededRandom(2020);
    // mulberry32's first outputs for seed 2020 (the sequence every shuffle and split depends on).
    expect([r(), r(), r()].map((v) => v.toFixed(9))).toEqual(FIRST_2020);
    const { x, labels } = syntheticDataset({ numClasses: 3, shape: [4], samples: 3, seed: 5, taskSeed: 2 });
    expect(Array.from(labels.dataSync())).toEqual([0, 1, 2]);
    expect(Array.from(x.dataSync()).map((v) => +v.toFixed(6))).toEqual(SYNTHETIC_3x4);
    tf.dispose([x, labels]);
  });
});

// Computed with core's seededRandom and syntheticDataset before the synthetic task moved here.
const FIRST_2020 = ['0.843738496', '0.631691959', '0.942181660'];
const SYNTHETIC_3x4 = [0, 0.992958, 0.992958, 0, 0, 0, 0, 0, 0, 0.937943, 0, 0.937943];
