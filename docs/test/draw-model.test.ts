// The draw demo's shipped model (public/models/draw/): its record says what it is (accuracy on the
// 10,000 official test images, size, the commands that made it) and the files match the record. The
// full test-set evaluation is draw-model-accuracy.test.ts (slow tier).
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadCheckpoint, use } from '@spikeflow/core';
import '@spikeflow/core/node';
import { neurons, surrogates } from '@spikeflow/neurons';
import { pools } from '@spikeflow/pooling';
import { median, networkClassifier, packedClassifier, timedClassify, type DrawModelRecord } from '../lib/draw.js';

const dir = fileURLToPath(new URL('../public/models/draw/', import.meta.url));
const record = JSON.parse(readFileSync(dir + 'record.json', 'utf8')) as DrawModelRecord & { weightsFile: string; trainCommand: string; exportCommand: string };
const manifest = JSON.parse(readFileSync(dir + 'model.json', 'utf8'));
/** "About 1 MB of weights". */
const MAX_WEIGHT_BYTES = 1024 * 1024;

beforeAll(async () => {
  use(neurons, surrogates, pools);
  await tf.setBackend('cpu');
});

describe('the draw demo model', () => {
  test('its record: at least 90% on the 10,000 official test images, within 1 MiB of weights', () => {
    expect(record.testImages).toBe(10_000);
    expect(record.testAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(record.weightsBytes).toBeLessThanOrEqual(MAX_WEIGHT_BYTES);
    expect(record.trainCommand).toMatch(/spikeflow(\.js)? train /);
    expect(record.exportCommand).toMatch(/^node docs\/scripts\/train-draw-model\.mjs/);
  });

  test('the files are the ones the record measured', () => {
    expect(manifest.weightsManifest[0].paths).toEqual([record.weightsFile]);
    expect(statSync(dir + record.weightsFile).size).toBe(record.weightsBytes);
    // Every weight tfjs reads, in float32: the size is the weights', with no optimizer state.
    const floats = manifest.weightsManifest[0].weights.reduce((n: number, w: { shape: number[] }) => n + w.shape.reduce((a, b) => a * b, 1), 0);
    expect(floats * 4).toBe(record.weightsBytes);
  });

  test('the classify step is one swappable function, timed', async () => {
    const ckpt = await loadCheckpoint(`file://${dir}`);
    const trainable = ckpt.network.trainableVariables().reduce((n, v) => n + v.size, 0);
    expect(trainable).toBe(record.parameters);
    const classifier = networkClassifier(ckpt.network);
    const { result, ms } = await timedClassify(classifier, new Float32Array(784).fill(0.5));
    expect(result.prediction).toBeGreaterThanOrEqual(0);
    expect(result.prediction).toBeLessThan(10);
    expect(result.scores).toHaveLength(10);
    expect(ms).toBeGreaterThan(0);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    ckpt.network.dispose();
  });
  test('the page predicts with the packed binary-spike engine, which agrees with the float network', async () => {
    const ckpt = await loadCheckpoint(`file://${dir}`);
    const { classifier, engine } = await packedClassifier(ckpt.network);
    expect(engine).toMatch(/^packed/);
    const float = networkClassifier(ckpt.network);
    // Smooth blobs at several places and sizes: drawings, not noise.
    for (let k = 0; k < 6; k++) {
      const pixels = new Float32Array(784).map((_, i) => Math.max(0, 1 - Math.hypot((i % 28) - 8 - 2 * k, Math.floor(i / 28) - 6 - 3 * k) / (6 + k)));
      const { result, ms } = await timedClassify(classifier, pixels);
      expect(result.predictMs).toBe(ms);
      expect(result.prediction).toBe((await float(pixels)).prediction);
    }
    ckpt.network.dispose();
  });
});
