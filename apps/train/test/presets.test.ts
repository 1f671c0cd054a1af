// Every preset builds its network and trains 2 steps on generated data of the dataset's shape.
// Time steps are cut to 2 and the batch to 1 so the paper's large networks fit in a test; the
// layers, channels, input shape and head are the preset's own.
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, summary, Trainer, use } from '@spikeflow/core';
import { allocEvents, encodeNmnist } from '@spikeflow/datasets';
import { neurons, surrogates } from '@spikeflow/neurons';
import { pools } from '@spikeflow/pooling';
import { setup } from '@spikeflow/backend-wasm';
import { DATASET_INPUT, loadSplits, PAPER_PRESETS, PRESETS, scheduleOf } from '../src/index.js';

use(neurons, surrogates, pools);

const CLASSES: Record<string, number> = { 'dvs128-gesture': 11 };

describe('presets (wasm)', () => {
  beforeAll(async () => {
    await setup({ threads: 1 });
    await tf.setBackend('wasm');
  });

  it('covers the paper\'s six settings, each with the accuracy the paper reports', () => {
    expect([...PAPER_PRESETS]).toEqual(['mnist', 'fashion-mnist', 'cifar10', 'n-mnist', 'cifar10-dvs', 'dvs128-gesture']);
    expect(PAPER_PRESETS.map((p) => PRESETS[p].paperAccuracy)).toEqual([99.72, 94.38, 93.5, 99.61, 74.8, 97.57]);
    // Authors' training: Adam 1e-3, cosine over the run, batch 16, seed 2020.
    for (const p of PAPER_PRESETS) expect(PRESETS[p]).toMatchObject({ optimizer: { kind: 'adam', learningRate: 1e-3 }, batchSize: 16, seed: 2020, epochs: 64 });
    expect(scheduleOf(PRESETS['cifar10'])).toEqual({ kind: 'cosine', tMax: 64 });
    expect(PAPER_PRESETS.map((p) => PRESETS[p].model.timeSteps)).toEqual([8, 8, 8, 10, 20, 20]);
  });

  for (const name of Object.keys(PRESETS)) {
    it(`${name}: builds and trains 2 steps at batch 1 on generated data`, async () => {
      const preset = PRESETS[name];
      const T = 2;
      const net = build({ ...preset.model, timeSteps: T }, { seed: 1 });
      const s = summary(net);
      const shape = DATASET_INPUT[preset.dataset];
      expect(s.inputShape).toEqual(shape);
      const classes = CLASSES[preset.dataset] ?? 10;
      expect(s.layers.at(-1)!.outputShape).toEqual([classes]);
      const sequence = preset.model.encoder?.kind === 'sequence';
      const trainer = new Trainer(net, { optimizer: preset.optimizer, schedule: scheduleOf(preset), loss: preset.loss });
      const before = await net.neuronParameters();
      const losses: number[] = [];
      for (let step = 0; step < 2; step++) {
        // Images in [0, 1]; event frames are spike counts per pixel and polarity.
        const xs = sequence ? tf.floor(tf.randomUniform([T, 1, ...shape], 0, 3, 'float32', step)) : tf.randomUniform([1, ...shape], 0, 1, 'float32', step);
        const ys = tf.tensor1d([step % classes], 'int32');
        const { loss, rate } = trainer.trainStep(xs, ys);
        losses.push((await loss.data())[0]);
        expect(rate.shape).toEqual([1, classes]);
        tf.dispose([xs, ys, loss, rate]);
      }
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(trainer.step).toBe(2);
      // Adam moved the first PLIF layer's w (deeper layers may stay silent on random input at T = 2,
      // and a silent layer's input gives its w no gradient).
      // The first PLIF layer: neuron0, or the recurrent layer of the recurrent preset.
      const after = await net.neuronParameters();
      const first = Object.keys(before)[0];
      expect(after[first].w).not.toBe(before[first].w);
      expect(Object.keys(after)).toEqual(Object.keys(before));
      trainer.dispose();
      net.dispose();
    }, 300_000);
  }

  it('n-mnist reads the real file format through @spikeflow/datasets and caches the frames', async () => {
    const root = mkdtempSync(join(tmpdir(), 'spikeflow-nmnist-'));
    const cache = mkdtempSync(join(tmpdir(), 'spikeflow-cache-'));
    for (const split of ['Train', 'Test']) {
      for (let d = 0; d < 10; d++) {
        mkdirSync(join(root, split, String(d)), { recursive: true });
        const e = allocEvents(200);
        for (let i = 0; i < 200; i++) {
          e.x[i] = (d * 3 + i) % 34;
          e.y[i] = (i * 7) % 34;
          e.p[i] = i % 2;
          e.t[i] = i * 100;
        }
        writeFileSync(join(root, split, String(d), '00001.bin'), encodeNmnist(e));
      }
    }
    const previous = process.env.SPIKEFLOW_DATA;
    process.env.SPIKEFLOW_DATA = cache;
    try {
      const { train, test } = await loadSplits({ dataset: 'n-mnist', dataDir: root, trainLimit: 0, testLimit: 0, seed: 1, frames: 10 });
      expect(train.count).toBe(10);
      expect(test.count).toBe(10);
      expect(train.source).toMatch(/^n-mnist train \(10 samples from .*, 10 frames by event count, cached\)$/);
      let total = 0;
      for await (const { xs, ys } of train.batches(4, 0, true)) {
        expect(xs.shape.slice(0, 1).concat(xs.shape.slice(2))).toEqual([10, 34, 34, 2]);
        // 200 events per sample, split into 10 frames: every event lands in one frame.
        total += (await xs.sum().data())[0];
        tf.dispose([xs, ys]);
      }
      expect(total).toBe(10 * 200);
      // The frames were written to the cache.
      const cached = readdirSync(cache, { recursive: true }).filter((f) => String(f).endsWith('.bin') || String(f).includes('frames'));
      expect(cached.length).toBeGreaterThan(0);
    } finally {
      if (previous === undefined) delete process.env.SPIKEFLOW_DATA;
      else process.env.SPIKEFLOW_DATA = previous;
    }
  }, 120_000);
});
