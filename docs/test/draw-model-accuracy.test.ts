// The draw demo's shipped model on the 10,000 official Fashion-MNIST test images (slow tier: about a
// minute of inference on wasm): at least 90%, and the accuracy its record.json states.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { loadCheckpoint, use } from '@spikeflow/core';
import '@spikeflow/core/node';
import { neurons, surrogates } from '@spikeflow/neurons';
import { pools } from '@spikeflow/pooling';
import { DataLocationError, evaluate, loadSplits, selectBackend } from '@spikeflow/train';

const dir = fileURLToPath(new URL('../public/models/draw/', import.meta.url));
const record = JSON.parse(readFileSync(dir + 'record.json', 'utf8')) as { testAccuracy: number };

describe('the draw demo model on the official test set', () => {
  test('at least 90% of the 10,000 test images, as its record says', async (ctx) => {
    let split;
    try {
      ({ test: split } = await loadSplits({ dataset: 'fashion-mnist', trainLimit: 1, testLimit: 0, seed: 2020 }));
    } catch (e) {
      if (!(e instanceof DataLocationError)) throw e;
      console.warn(`draw-model-accuracy.test.ts: skipped, no Fashion-MNIST here (${e.message.split('\n')[0]}); it runs wherever the official files are (Debian package dataset-fashion-mnist)`);
      return ctx.skip();
    }
    use(neurons, surrogates, pools);
    await selectBackend('wasm');
    tf.enableProdMode();
    const ckpt = await loadCheckpoint(`file://${dir}`);
    expect(split.count).toBe(10_000);
    const accuracy = await evaluate(ckpt.network, split, 100);
    ckpt.network.dispose();
    console.log(`draw model: ${(100 * accuracy).toFixed(2)}% on ${split.count} test images (record: ${(100 * record.testAccuracy).toFixed(2)}%)`);
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
    expect(Math.abs(accuracy - record.testAccuracy)).toBeLessThanOrEqual(0.002);
  }, 900_000);
});
