// Runs on the real Fashion-MNIST from Debian's dataset-fashion-mnist package (CI installs it).
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classCounts, imageBatches, loadFashionMnist } from '@spikeflow/datasets/node';

const DEBIAN_DIR = '/usr/share/datasets/fashion-mnist';
const present = existsSync(`${DEBIAN_DIR}/train-images-idx3-ubyte.gz`);
if (!present) {
  console.warn(
    `SKIPPING the real Fashion-MNIST tests: ${DEBIAN_DIR} is missing. They run in CI, which installs ` +
      "Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist); install it to run them here.",
  );
}

function pixelStats(images: Uint8Array): { mean: number; std: number } {
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < images.length; i++) {
    const v = images[i] / 255;
    sum += v;
    sq += v * v;
  }
  const mean = sum / images.length;
  return { mean, std: Math.sqrt(sq / images.length - mean * mean) };
}

describe('real Fashion-MNIST (Debian package)', () => {
  it.skipIf(!present)('train split: 60,000 images, 6,000 per class, published pixel statistics, official content', async () => {
    const set = await loadFashionMnist({ split: 'train', systemDir: DEBIAN_DIR, cacheDir: '/nonexistent', verify: true });
    expect(set.source).toBe(DEBIAN_DIR);
    expect(set.count).toBe(60_000);
    expect(set.images.length).toBe(60_000 * 784);
    expect(classCounts(set)).toEqual(new Array(10).fill(6000));
    const { mean, std } = pixelStats(set.images);
    expect(mean).toBeCloseTo(0.286, 3);
    expect(std).toBeCloseTo(0.353, 3);
  });

  it.skipIf(!present)('test split: 10,000 images, 1,000 per class', async () => {
    const set = await loadFashionMnist({ split: 'test', systemDir: DEBIAN_DIR, verify: true });
    expect(set.count).toBe(10_000);
    expect(classCounts(set)).toEqual(new Array(10).fill(1000));
    const { mean } = pixelStats(set.images);
    expect(mean).toBeGreaterThan(0.28);
    expect(mean).toBeLessThan(0.29);
  });

  it.skipIf(!present)('first test batch comes out as [64,28,28,1] float32 in [0,1] with int32 labels', async () => {
    const set = await loadFashionMnist({ split: 'test', systemDir: DEBIAN_DIR });
    const it = imageBatches(set, { batchSize: 64, shuffle: false });
    const { value } = await it.next();
    await it.return(undefined);
    expect(value!.xs.shape).toEqual([64, 28, 28, 1]);
    const x = value!.xs.dataSync();
    expect(Math.min(...x)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...x)).toBeLessThanOrEqual(1);
    // The first test image is an ankle boot (class 9) in the official files.
    expect(value!.ys.dataSync()[0]).toBe(9);
    value!.xs.dispose();
    value!.ys.dispose();
  });
});
