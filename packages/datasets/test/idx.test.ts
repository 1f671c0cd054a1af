import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  DatasetNotFoundError,
  FormatError,
  MismatchError,
  encodeIdx,
  imageSetToTensors,
  loadFashionMnist,
  loadIdxImageSetWeb,
  loadMnist,
  parseIdx,
} from '@spikeflow/datasets/node';
import { patternBytes, tempDir } from './helpers.js';

const N = 5;
const images = patternBytes(N * 28 * 28);
const labels = Uint8Array.from([3, 0, 9, 1, 3]);

function writeSplit(dir: string, split: 'train' | 't10k', gz: boolean, imgs = images, labs = labels, n = N): void {
  const suffix = gz ? '.gz' : '';
  const enc = (b: Uint8Array) => (gz ? gzipSync(b) : b);
  writeFileSync(join(dir, `${split}-images-idx3-ubyte${suffix}`), enc(encodeIdx(imgs, [n, 28, 28])));
  writeFileSync(join(dir, `${split}-labels-idx1-ubyte${suffix}`), enc(encodeIdx(labs, [labs.length])));
}

describe('IDX format', () => {
  it('writes the header byte for byte as the format defines', () => {
    const b = encodeIdx(Uint8Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
    expect(Array.from(b)).toEqual([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6]);
    const parsed = parseIdx(b, 'x.idx');
    expect(parsed.dims).toEqual([2, 3]);
    expect(Array.from(parsed.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('loads raw files from a folder with exact values', async () => {
    const dir = tempDir();
    writeSplit(dir, 'train', false);
    const set = await loadFashionMnist({ split: 'train', dir });
    expect(set.count).toBe(N);
    expect([set.height, set.width, set.channels]).toEqual([28, 28, 1]);
    expect(Array.from(set.labels)).toEqual([3, 0, 9, 1, 3]);
    expect(set.images).toEqual(images);
    expect(set.classNames?.[9]).toBe('Ankle boot');
  });

  it('loads .gz files and turns them into [N,28,28,1] float32 tensors in [0,1]', async () => {
    const dir = tempDir();
    writeSplit(dir, 't10k', true);
    const set = await loadMnist({ split: 'test', dir });
    const { xs, ys } = imageSetToTensors(set);
    expect(xs.shape).toEqual([N, 28, 28, 1]);
    expect(xs.dtype).toBe('float32');
    expect(ys.dtype).toBe('int32');
    const x = xs.dataSync();
    expect(x[0]).toBeCloseTo(images[0] / 255, 7);
    expect(x[1000]).toBeCloseTo(images[1000] / 255, 7);
    expect(Array.from(ys.dataSync())).toEqual([3, 0, 9, 1, 3]);
    xs.dispose();
    ys.dispose();
  });

  it('loads the same files in the browser path (bytes + DecompressionStream)', async () => {
    const img = gzipSync(encodeIdx(images, [N, 28, 28]));
    const lab = encodeIdx(labels, [N]);
    const set = await loadIdxImageSetWeb({ dataset: 'fashion-mnist', split: 'train', images: new Uint8Array(img), labels: lab });
    expect(set.images).toEqual(images);
    expect(Array.from(set.labels)).toEqual(Array.from(labels));
  });

  it('rejects a truncated image file, naming it and the offset', async () => {
    const dir = tempDir();
    writeSplit(dir, 'train', false);
    const full = encodeIdx(images, [N, 28, 28]);
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), full.subarray(0, full.length - 10));
    const err = await loadFashionMnist({ split: 'train', dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).message).toMatch(/train-images-idx3-ubyte: truncated IDX file/);
    expect((err as FormatError).offset).toBe(full.length - 10);
  });

  it('rejects a truncated gzip stream', async () => {
    const dir = tempDir();
    writeSplit(dir, 'train', true);
    const gz = gzipSync(encodeIdx(images, [N, 28, 28]));
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gz.subarray(0, gz.length >> 1));
    await expect(loadFashionMnist({ split: 'train', dir })).rejects.toThrow(/train-images-idx3-ubyte.gz: gzip data is corrupt or truncated/);
  });

  it('rejects wrong magic numbers (labels file given as images)', async () => {
    const dir = tempDir();
    writeSplit(dir, 'train', false);
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), encodeIdx(labels, [N]));
    await expect(loadFashionMnist({ split: 'train', dir })).rejects.toThrow(/train-images-idx3-ubyte: wrong magic number 0x00000801, expected 0x00000803 \(at byte offset 0\)/);
    expect(() => parseIdx(Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0]), 'a.zip')).toThrow(/a.zip: not an IDX file/);
  });

  it('rejects an image/label count mismatch', async () => {
    const dir = tempDir();
    writeSplit(dir, 'train', false, images, labels.subarray(0, 4));
    const err = await loadFashionMnist({ split: 'train', dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MismatchError);
    expect((err as Error).message).toMatch(/has 5 images but .*train-labels-idx1-ubyte has 4 labels/);
  });

  it('rejects a label that is not a class, at its offset', async () => {
    const dir = tempDir();
    writeSplit(dir, 'train', false, images, Uint8Array.from([1, 2, 10, 3, 4]));
    const err = await loadFashionMnist({ split: 'train', dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).offset).toBe(8 + 2);
  });

  it('says where it looked when nothing is found, without touching the network', async () => {
    const empty = tempDir();
    const err = await loadMnist({ split: 'train', cacheDir: empty }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetNotFoundError);
    expect((err as Error).message).toContain(empty);
    expect((err as Error).message).toMatch(/download: true/);
    await expect(loadMnist({ split: 'train', dir: empty })).rejects.toThrow(/does not hold train-images-idx3-ubyte.gz/);
  });
});
