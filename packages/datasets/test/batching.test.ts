import { describe, expect, it } from 'vitest';
import {
  OptionError,
  batchCount,
  batches,
  encodeSpikes,
  hostBatches,
  imageBatches,
  imageSource,
  permutation,
  createRng,
  augmentImage,
  checkAugment,
  type BatchSource,
  type ImageSet,
} from '@spikeflow/datasets';

function tinySet(count: number): ImageSet {
  const images = new Uint8Array(count * 4);
  for (let i = 0; i < count; i++) images.fill(i, i * 4, i * 4 + 4); // every pixel of image i is i
  return { name: 'fashion-mnist', split: 'train', images, labels: Uint8Array.from({ length: count }, (_, i) => i % 10), count, height: 2, width: 2, channels: 1, numClasses: 10, source: 'test' };
}

async function collect(it: AsyncGenerator<{ indices: Uint32Array }>): Promise<number[][]> {
  const out: number[][] = [];
  for await (const b of it) out.push(Array.from(b.indices));
  return out;
}

describe('batching', () => {
  it('seeded shuffle: same seed and epoch repeat, another epoch differs, every sample once', async () => {
    const src = imageSource(tinySet(23));
    const a = await collect(hostBatches(src, { batchSize: 5, seed: 7, epoch: 0 }));
    const b = await collect(hostBatches(src, { batchSize: 5, seed: 7, epoch: 0 }));
    const c = await collect(hostBatches(src, { batchSize: 5, seed: 7, epoch: 1 }));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.map((x) => x.length)).toEqual([5, 5, 5, 5, 3]);
    expect(a.flat().sort((x, y) => x - y)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    expect(Array.from(permutation(10, 1))).toEqual(Array.from(permutation(10, 1)));
  });

  it('drop-last skips the short batch', async () => {
    const src = imageSource(tinySet(23));
    const a = await collect(hostBatches(src, { batchSize: 5, dropLast: true }));
    expect(a.map((x) => x.length)).toEqual([5, 5, 5, 5]);
    expect(batchCount(23, 5, true)).toBe(4);
    expect(batchCount(23, 5, false)).toBe(5);
  });

  it('batch values match the samples and labels it names', async () => {
    const set = tinySet(12);
    for await (const b of imageBatches(set, { batchSize: 4, seed: 3 })) {
      const x = b.xs.arraySync() as number[][][][];
      const y = b.ys.dataSync();
      Array.from(b.indices).forEach((idx, k) => {
        expect(x[k][1][1][0]).toBeCloseTo(idx / 255, 7);
        expect(y[k]).toBe(idx % 10);
      });
      b.xs.dispose();
      b.ys.dispose();
    }
  });

  it('prefetches the next batch while the caller still holds the current one', async () => {
    const started: number[] = [];
    const src: BatchSource = {
      size: 40,
      sampleShape: [1],
      numClasses: 2,
      async fill(indices, out, labels) {
        started.push(indices[0]);
        out.fill(1);
        labels.fill(0);
      },
    };
    const it = hostBatches(src, { batchSize: 10, shuffle: false, prefetch: 1 });
    await it.next(); // batch 0 handed out
    await new Promise((r) => setTimeout(r, 5)); // the caller's "training step"
    expect(started).toEqual([0, 10]); // batch 1 was built meanwhile
    await it.return(undefined);

    const lazy: number[] = [];
    const src2: BatchSource = { ...src, fill: (i, o) => void (lazy.push(i[0]), o.fill(0)) };
    const it2 = hostBatches(src2, { batchSize: 10, shuffle: false, prefetch: 0 });
    await it2.next();
    await new Promise((r) => setTimeout(r, 5));
    expect(lazy).toEqual([0]);
    await it2.return(undefined);
  });

  it('an error in a prefetched batch reaches the caller, no unhandled rejection', async () => {
    const src: BatchSource = {
      size: 20,
      sampleShape: [1],
      numClasses: 2,
      fill(indices) {
        if (indices[0] === 10) throw new Error('broken sample file');
      },
    };
    const it = hostBatches(src, { batchSize: 10, shuffle: false });
    await it.next();
    await expect(it.next()).rejects.toThrow('broken sample file');
  });

  it('direct encoder yields [T, N, H, W, C] with the image repeated', async () => {
    const set = tinySet(3);
    const it = imageBatches(set, { batchSize: 3, shuffle: false, encoder: { kind: 'direct', T: 4 } });
    const { value } = await it.next();
    expect(value!.xs.shape).toEqual([4, 3, 2, 2, 1]);
    const x = value!.xs.arraySync() as number[][][][][];
    for (let t = 0; t < 4; t++) expect(x[t][2][0][1][0]).toBeCloseTo(2 / 255, 7);
    value!.xs.dispose();
    value!.ys.dispose();
  });

  it('rejects bad options clearly', async () => {
    const src = imageSource(tinySet(3));
    await expect(hostBatches(src, { batchSize: 0 }).next()).rejects.toThrow(OptionError);
    await expect(hostBatches(src, { batchSize: 2, encoder: { kind: 'direct', T: 0 } }).next()).rejects.toThrow(/T must be an integer >= 1/);
    await expect(batches(src, { batchSize: 2, prefetch: -1 }).next()).rejects.toThrow(/prefetch must be/);
  });
});

describe('encoders', () => {
  const x = Float32Array.from([0, 0.25, 1, 0.5]);

  it('latency: one spike at round((1-x)(T-1)), none for 0', () => {
    const out = encodeSpikes({ kind: 'latency', T: 5 }, x, createRng(0));
    const at = (i: number) => [0, 1, 2, 3, 4].filter((t) => out[t * 4 + i] === 1);
    expect(at(0)).toEqual([]);
    expect(at(1)).toEqual([3]); // (1-0.25)*4 = 3
    expect(at(2)).toEqual([0]);
    expect(at(3)).toEqual([2]);
  });

  it('poisson: binary, rate follows intensity, repeats for a seed', () => {
    const n = 20000;
    const big = new Float32Array(n).fill(0.3);
    const a = encodeSpikes({ kind: 'poisson', T: 4 }, big, createRng(5));
    const b = encodeSpikes({ kind: 'poisson', T: 4 }, big, createRng(5));
    expect(a).toEqual(b);
    let ones = 0;
    let other = 0;
    for (const v of a) {
      if (v === 1) ones++;
      else if (v !== 0) other++;
    }
    expect(other).toBe(0);
    expect(ones / a.length).toBeGreaterThan(0.29);
    expect(ones / a.length).toBeLessThan(0.31);
    const edge = encodeSpikes({ kind: 'poisson', T: 8 }, Float32Array.from([0, 1]), createRng(1));
    for (let t = 0; t < 8; t++) expect([edge[t * 2], edge[t * 2 + 1]]).toEqual([0, 1]);
  });
});

describe('augmentation', () => {
  const img = Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => i * 7); // 4x3 HWC, 3 channels
  it('crop-flip with no padding and flip=1 mirrors each row exactly', () => {
    const out = new Float32Array(img.length);
    augmentImage({ kind: 'crop-flip', padding: 0, flip: 1 }, img, out, 4, 3, 3, createRng(1));
    for (let y = 0; y < 4; y++) for (let x = 0; x < 3; x++) for (let c = 0; c < 3; c++) expect(out[(y * 3 + x) * 3 + c]).toBeCloseTo(img[(y * 3 + (2 - x)) * 3 + c] / 255, 6);
  });
  it('affine with zero ranges is the identity; with ranges it moves pixels but stays in [0,1]', () => {
    const digit = Uint8Array.from({ length: 28 * 28 }, (_, i) => ((i % 28) > 10 && (i % 28) < 18 ? 255 : 0));
    const out = new Float32Array(784);
    augmentImage({ kind: 'affine', degrees: 0, translate: 0, scale: [1, 1] }, digit, out, 28, 28, 1, createRng(2));
    expect(Array.from(out, (v) => Math.round(v * 255))).toEqual(Array.from(digit));
    augmentImage({ kind: 'affine', degrees: 30, translate: 0.2, scale: [0.8, 1.2] }, digit, out, 28, 28, 1, createRng(3));
    expect(Array.from(out, (v) => Math.round(v * 255))).not.toEqual(Array.from(digit));
    expect(Math.min(...out)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...out)).toBeLessThanOrEqual(1);
    expect(() => checkAugment({ kind: 'affine', scale: [0, 1] })).toThrow(/scale must be/);
  });
});
