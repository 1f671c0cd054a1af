// Bad inputs give a clear error where they are found, before any training: specs, archives, image files.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { build, parseSpec, SpecError, type ModelSpec } from '@spikeflow/core';
import {
  allocEvents,
  checkImageShape,
  encodeIdx,
  encodeNmnist,
  encodeTar,
  encodeZip,
  extractTar,
  FormatError,
  loadFashionMnist,
  loadNmnist,
  MismatchError,
  UnsafeArchivePathError,
} from '@spikeflow/datasets/node';
import '../setup.js';

const temp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const small = { input: { shape: [4, 4, 1] }, timeSteps: 2, layers: [{ kind: 'flatten' }, { kind: 'dense', units: 10 }, { kind: 'neuron', neuron: 'plif' }] };

function specError(spec: unknown): SpecError {
  let err: unknown;
  try {
    parseSpec(spec);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(SpecError);
  return err as SpecError;
}

describe('spec limits', () => {
  it('a spec nested 5,000 deep gives a SpecError naming where, not a stack overflow', () => {
    let deep: Record<string, unknown> = { kind: 'atan' };
    for (let i = 0; i < 5000; i++) deep = { kind: 'atan', x: deep };
    const e = specError({ ...small, layers: [small.layers[0], small.layers[1], { ...small.layers[2], surrogate: deep }] });
    expect(e.message).toMatch(/^layers\[2\]\.surrogate(\.x)+: nested more than 32 levels deep/);
    let arrays: unknown = 1;
    for (let i = 0; i < 5000; i++) arrays = [arrays];
    expect(specError({ ...small, input: { shape: arrays } }).message).toMatch(/^input\.shape(\[0\])+: nested more than 32 levels/);
  });

  it('a layer named __proto__ is refused (its tau would vanish from neuronParameters)', () => {
    const e = specError({ ...small, layers: [small.layers[0], small.layers[1], { ...small.layers[2], name: '__proto__' }] });
    expect(e.message).toBe('layers[2].name: layer name "__proto__" is reserved by JavaScript objects; choose another');
    expect(() => build({ ...small, layers: [small.layers[0], small.layers[1], { ...small.layers[2], name: '__proto__' }] } as ModelSpec)).toThrow(SpecError);
  });

  it('sizes that cannot be allocated are SpecErrors naming the layer', () => {
    expect(specError({ ...small, timeSteps: 1_000_000 }).message).toBe('timeSteps: expected an integer >= 1 <= 100000, got number 1000000');
    expect(specError({ ...small, layers: [small.layers[0], { kind: 'dense', units: 1e9 }, small.layers[2]] }).message).toMatch(/^layers\[1\]: a 16x1000000000 kernel has more than 268435456 values/);
    expect(specError({ ...small, layers: Array.from({ length: 20_000 }, () => ({ kind: 'flatten' })) }).message).toBe('layers: 20000 layers; at most 10000 are allowed');
  });
});

describe('archives are extracted all or nothing', () => {
  it('an N-MNIST Train.zip with a corrupt last entry fails on every call, never half-loaded', async () => {
    const root = temp('spikeflow-nmnist-');
    const extractDir = temp('spikeflow-nmnist-cache-');
    const e = allocEvents(1);
    e.x[0] = 1;
    e.y[0] = 1;
    e.p[0] = 1;
    e.t[0] = 5;
    const sample = encodeNmnist(e);
    const entries = Array.from({ length: 11 }, (_, i) => ({ name: `Train/${i % 10}/${String(i).padStart(5, '0')}.bin`, data: sample }));
    const zip = encodeZip(entries);
    // Corrupt the last entry's local header signature.
    const lastLocal = zip.length - 22 - entries.reduce((n, x) => n + 46 + x.name.length, 0) - (30 + entries[10].name.length + sample.length);
    zip[lastLocal] ^= 0xff;
    writeFileSync(join(root, 'Train.zip'), zip);
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(loadNmnist({ root, split: 'train', frames: 2, splitBy: 'number', extractDir })).rejects.toThrow(FormatError);
      expect(readdirSync(extractDir)).toEqual([]); // nothing half-extracted to reuse
    }
    writeFileSync(join(root, 'Train.zip'), encodeZip(entries));
    const ds = await loadNmnist({ root, split: 'train', frames: 2, splitBy: 'number', extractDir });
    expect(ds.size).toBe(11);
  });

  it('a tar holding x and then x/y gives a FormatError naming both, and leaves nothing behind', async () => {
    const dir = temp('spikeflow-tar-');
    const tar = join(dir, 'conflict.tar.gz');
    writeFileSync(tar, gzipSync(encodeTar([{ name: 'x', data: Uint8Array.from([1]) }, { name: 'x/y', data: Uint8Array.from([2]) }])));
    const target = join(dir, 'out');
    await expect(extractTar(tar, target)).rejects.toThrow(/conflict\.tar\.gz: entry "x\/y" needs "x" as a folder, but the archive wrote "x" as a file before \(at byte offset 1024\)/);
    expect(readdirSync(target)).toEqual([]);
  });

  it('train and test archives extracted at once into a fresh cache, within one millisecond: both land, and a zip-slip refusal is the error shown', async () => {
    // The same clock for both calls: the staging names must still differ (they once were pid-ms only).
    const now = vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000);
    try {
      const dir = temp('spikeflow-tar-');
      const train = join(dir, 'train.tar');
      const test = join(dir, 'test.tar');
      writeFileSync(train, encodeTar([{ name: 'Train/a.bin', data: Uint8Array.from([1]) }]));
      writeFileSync(test, encodeTar([{ name: 'Test/b.bin', data: Uint8Array.from([2]) }]));
      const cache = join(dir, 'cache');
      expect(await Promise.all([extractTar(train, cache), extractTar(test, cache)])).toEqual([['Train/a.bin'], ['Test/b.bin']]);
      expect(readdirSync(cache).sort()).toEqual(['Test', 'Train']);

      const slip = join(dir, 'slip.tar');
      writeFileSync(slip, encodeTar([{ name: '../../evil.bin', data: Uint8Array.from([3]) }]));
      const fresh = join(dir, 'cache2');
      const [good, bad] = await Promise.allSettled([extractTar(train, fresh), extractTar(slip, fresh)]);
      expect(good.status).toBe('fulfilled');
      expect(bad.status).toBe('rejected');
      const reason = (bad as PromiseRejectedResult).reason as Error;
      expect(reason).toBeInstanceOf(UnsafeArchivePathError);
      expect(reason.message).toMatch(/entry "\.\.\/\.\.\/evil\.bin" escapes the target folder/);
      expect(readdirSync(fresh)).toEqual(['Train']);
    } finally {
      now.mockRestore();
    }
  });

  it('a staging folder left by a killed extraction is removed by the next one', async () => {
    const dir = temp('spikeflow-tar-');
    const target = join(dir, 'out');
    mkdirSync(join(target, '.extracting-999999999-1', 'Train'), { recursive: true });
    const tar = join(dir, 'ok.tar');
    writeFileSync(tar, encodeTar([{ name: 'a/b.bin', data: Uint8Array.from([1]) }]));
    expect(await extractTar(tar, target)).toEqual(['a/b.bin']);
    expect(readdirSync(target)).toEqual(['a']);
  });
});

describe('image files that do not fit the model fail before training', () => {
  const idxDir = (height: number, width: number) => {
    const dir = temp('spikeflow-idx-');
    const images = encodeIdx(new Uint8Array(2 * height * width), [2, height, width]);
    const labels = encodeIdx(Uint8Array.from([1, 2]), [2]);
    for (const split of ['train', 't10k']) {
      writeFileSync(join(dir, `${split}-images-idx3-ubyte`), images);
      writeFileSync(join(dir, `${split}-labels-idx1-ubyte`), labels);
    }
    return dir;
  };

  it('32x32 and 0x0 Fashion-MNIST test files are refused by the loader, naming the file', async () => {
    const dir32 = idxDir(32, 32);
    await expect(loadFashionMnist({ split: 'test', dir: dir32 })).rejects.toThrow(MismatchError);
    await expect(loadFashionMnist({ split: 'test', dir: dir32 })).rejects.toThrow(/t10k-images-idx3-ubyte: images are 32x32 pixels; fashion-mnist images are 28x28/);
    const dir0 = idxDir(0, 0);
    await expect(loadFashionMnist({ split: 'test', dir: dir0 })).rejects.toThrow(/t10k-images-idx3-ubyte: images of 0x0 pixels hold nothing/);
    expect(existsSync(dir0)).toBe(true);
  });

  it('checkImageShape compares a set with the model input before any step', () => {
    const set = { name: 'fashion-mnist', split: 'test' as const, height: 32, width: 32, channels: 1, source: '/data', count: 2 };
    expect(() => checkImageShape(set, [28, 28, 1])).toThrow("/data: fashion-mnist test images are [32, 32, 1], the model's input is [28, 28, 1]");
    expect(() => checkImageShape({ ...set, height: 28, width: 28 }, [28, 28, 1])).not.toThrow();
    expect(() => checkImageShape({ ...set, height: 28, width: 28 }, [784])).not.toThrow();
  });
});
