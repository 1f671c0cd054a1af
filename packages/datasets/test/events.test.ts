import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  Aedat31Decoder,
  EventRangeError,
  FormatError,
  allocEvents,
  decodeAedat31,
  decodeCifar10Dvs,
  decodeNmnist,
  encodeAedat31,
  encodeCifar10Dvs,
  encodeGestureLabels,
  encodeNmnist,
  frameSegments,
  hostBatches,
  integrateFrames,
  loadCifar10Dvs,
  loadDvsGesture,
  loadNmnist,
  parseGestureLabels,
  type EventStream,
} from '@spikeflow/datasets/node';
import { tempDir } from './helpers.js';

function events(rows: [number, number, number, number][]): EventStream {
  const e = allocEvents(rows.length);
  rows.forEach(([x, y, p, t], i) => {
    e.x[i] = x;
    e.y[i] = y;
    e.p[i] = p;
    e.t[i] = t;
  });
  return e;
}

const rowsOf = (e: EventStream) => Array.from(e.t, (_, i) => [e.x[i], e.y[i], e.p[i], e.t[i]]);

describe('N-MNIST .bin', () => {
  it('decodes the 40-bit layout from hand-written bytes', () => {
    // x=5, y=33, p=1, t=0x123456 ; x=0, y=0, p=0, t=0x7fffff
    const bytes = Uint8Array.from([5, 33, 0x80 | 0x12, 0x34, 0x56, 0, 0, 0x7f, 0xff, 0xff]);
    expect(rowsOf(decodeNmnist(bytes, 'a.bin'))).toEqual([
      [5, 33, 1, 0x123456],
      [0, 0, 0, 0x7fffff],
    ]);
  });

  it('round-trips through the writer', () => {
    const e = events([[1, 2, 0, 10], [33, 33, 1, 5_000_000], [7, 0, 1, 8_388_607]]);
    expect(rowsOf(decodeNmnist(encodeNmnist(e), 'x.bin'))).toEqual(rowsOf(e));
  });

  it('rejects truncated files and events outside 34x34, with offsets', () => {
    const ok = encodeNmnist(events([[1, 1, 1, 1], [2, 2, 0, 2]]));
    expect(() => decodeNmnist(ok.subarray(0, 8), 'cut.bin')).toThrow(/cut.bin: truncated N-MNIST event file.*\(at byte offset 5\)/);
    const bad = ok.slice();
    bad[5] = 34; // second event x = 34
    const err = (() => {
      try {
        decodeNmnist(bad, 'far.bin');
      } catch (e) {
        return e;
      }
    })() as EventRangeError;
    expect(err).toBeInstanceOf(EventRangeError);
    expect(err.offset).toBe(5);
    expect(err.message).toMatch(/far.bin: event 1 at \(x=34, y=2\) lies outside the 34x34 sensor/);
  });
});

describe('AEDAT 3.1', () => {
  it('decodes a hand-built packet (header fields, bit layout, overflow)', () => {
    const head = new TextEncoder().encode('#!AER-DAT3.1\r\n#Format: RAW\r\n#End Of ASCII Header\r\n');
    const pkt = new Uint8Array(28 + 16);
    const v = new DataView(pkt.buffer);
    v.setInt16(0, 1, true); // polarity
    v.setInt32(4, 8, true);
    v.setInt32(12, 1, true); // overflow
    v.setInt32(16, 2, true); // capacity
    v.setInt32(20, 2, true);
    v.setUint32(28, (100 << 17) | (27 << 2) | (1 << 1) | 1, true);
    v.setUint32(32, 77, true);
    v.setUint32(36, (3 << 17) | (127 << 2), true);
    v.setUint32(40, 78, true);
    const other = new Uint8Array(28 + 4); // a packet of another type (special events) is skipped
    const ov = new DataView(other.buffer);
    ov.setInt16(0, 0, true);
    ov.setInt32(4, 4, true);
    ov.setInt32(16, 1, true);
    const file = new Uint8Array([...head, ...other, ...pkt]);
    expect(rowsOf(decodeAedat31(file, 'rec.aedat'))).toEqual([
      [100, 27, 1, 2 ** 31 + 77],
      [3, 127, 0, 2 ** 31 + 78],
    ]);
  });

  it('round-trips, also when fed in small chunks', () => {
    const e = events([[0, 0, 0, 5], [127, 1, 1, 9], [64, 64, 1, 2 ** 31 + 3], [5, 6, 0, 2 ** 32 + 1]]);
    const bytes = encodeAedat31(e, { packetSize: 2 });
    expect(rowsOf(decodeAedat31(bytes, 'r.aedat'))).toEqual(rowsOf(e));
    const dec = new Aedat31Decoder('r.aedat');
    for (let i = 0; i < bytes.length; i += 7) dec.push(bytes.slice(i, i + 7));
    expect(rowsOf(dec.end())).toEqual(rowsOf(e));
  });

  it('rejects a wrong magic line, a truncated packet and events outside 128x128', () => {
    const bytes = encodeAedat31(events([[1, 1, 1, 1], [2, 2, 0, 2]]));
    expect(() => decodeAedat31(new TextEncoder().encode('#!AER-DAT2.0\r\n#!END-HEADER\r\n'), 'old.aedat')).toThrow(/old.aedat: not an AEDAT 3.x file/);
    const headerLen = bytes.length - (28 + 2 * 8); // the one packet starts right after the header
    expect(() => decodeAedat31(bytes.subarray(0, bytes.length - 3), 'cut.aedat')).toThrow(new RegExp(`cut.aedat: truncated AEDAT 3.1 packet.*at byte offset ${headerLen}\\)`));
    const far = encodeAedat31(events([[1, 1, 1, 1], [200, 2, 0, 2]]));
    expect(() => decodeAedat31(far, 'far.aedat')).toThrow(/far.aedat: event at \(x=200, y=2\) lies outside the 128x128 sensor \(at byte offset \d+\)/);
  });

  it('parses label CSVs (1-based classes stored 0-based) and rejects bad rows', () => {
    const w = parseGestureLabels('class,startTime_usec,endTime_usec\r\n1,80048239,85092709\r\n11,180675853,187389051\r\n', 'u_labels.csv');
    expect(w).toEqual([
      { label: 0, start: 80048239, end: 85092709 },
      { label: 10, start: 180675853, end: 187389051 },
    ]);
    expect(() => parseGestureLabels('h\n12,1,2\n', 'b.csv')).toThrow(/b.csv: line 2: class 12 is not in 1..11 \(at byte offset 2\)/);
    expect(() => parseGestureLabels('h\n1,x,2\n', 'c.csv')).toThrow(FormatError);
  });
});

describe('CIFAR10-DVS AEDAT', () => {
  it('decodes big-endian address/timestamp with SpikingJelly orientation', () => {
    const head = new TextEncoder().encode('#!AER-DAT2.0\r\n# comment\r\n');
    // raw xr = 10 (bits 1..7), yr = 20 (bits 8..14), pr = 1  ->  x = 127-20, y = 127-10, p = 0
    const body = Uint8Array.from([0, 0, 20, (10 << 1) | 1, 0, 0, 0x01, 0x00]);
    expect(rowsOf(decodeCifar10Dvs(new Uint8Array([...head, ...body]), 'c.aedat'))).toEqual([[107, 117, 0, 256]]);
  });

  it('round-trips and rejects a truncated body', () => {
    const e = events([[0, 127, 1, 1], [127, 0, 0, 70000], [50, 60, 1, 2 ** 32 - 1]]);
    const bytes = encodeCifar10Dvs(e);
    expect(rowsOf(decodeCifar10Dvs(bytes, 'c.aedat'))).toEqual(rowsOf(e));
    expect(() => decodeCifar10Dvs(bytes.subarray(0, bytes.length - 4), 'cut.aedat')).toThrow(/cut.aedat: truncated CIFAR10-DVS event data/);
  });
});

describe('frame integration (SpikingJelly index arithmetic)', () => {
  // 7 events, sensor 3 wide x 2 high
  const e = events([
    [0, 0, 1, 0],
    [1, 0, 0, 1],
    [0, 0, 1, 2],
    [2, 1, 1, 10],
    [2, 1, 0, 11],
    [0, 1, 1, 19],
    [2, 1, 1, 20],
  ]);
  const at = (f: Float32Array, t: number, y: number, x: number, p: number) => f[((t * 2 + y) * 3 + x) * 2 + p];

  it("'number': floor(N/T) events per frame, remainder in the last", () => {
    const { jl, jr } = frameSegments(e.t, 'number', 3);
    expect([Array.from(jl), Array.from(jr)]).toEqual([[0, 2, 4], [2, 4, 7]]);
    const f = integrateFrames(e, { frames: 3, splitBy: 'number', width: 3, height: 2 });
    expect(f.length).toBe(3 * 2 * 3 * 2);
    // frame 0: events 0,1 ; frame 1: events 2,3 ; frame 2: events 4,5,6
    expect(at(f, 0, 0, 0, 1)).toBe(1);
    expect(at(f, 0, 0, 1, 0)).toBe(1);
    expect(at(f, 1, 0, 0, 1)).toBe(1);
    expect(at(f, 1, 1, 2, 1)).toBe(1);
    expect(at(f, 2, 1, 2, 0)).toBe(1);
    expect(at(f, 2, 1, 0, 1)).toBe(1);
    expect(at(f, 2, 1, 2, 1)).toBe(1);
    expect(f.reduce((a, b) => a + b, 0)).toBe(7);
  });

  it("'time': dt = floor((t_last - t0)/T), windows [t0+i*dt, t0+(i+1)*dt), last to the end", () => {
    // dt = floor(20/3) = 6 -> [0,6): 0,1,2  [6,12): 3,4  [12,..]: 5,6
    const { jl, jr } = frameSegments(e.t, 'time', 3);
    expect([Array.from(jl), Array.from(jr)]).toEqual([[0, 3, 5], [3, 5, 7]]);
    const f = integrateFrames(e, { frames: 3, splitBy: 'time', width: 3, height: 2 });
    expect(at(f, 0, 0, 0, 1)).toBe(2); // two ON events at (0,0)
    expect(at(f, 0, 0, 1, 0)).toBe(1);
    expect(at(f, 1, 1, 2, 1)).toBe(1);
    expect(at(f, 1, 1, 2, 0)).toBe(1);
    expect(at(f, 2, 1, 0, 1)).toBe(1);
    expect(at(f, 2, 1, 2, 1)).toBe(1);
    expect(f.reduce((a, b) => a + b, 0)).toBe(7);
  });

  it('fewer events than frames: all go to the last frame, as SpikingJelly', () => {
    const { jl, jr } = frameSegments(e.t.subarray(0, 2), 'number', 4);
    expect([Array.from(jl), Array.from(jr)]).toEqual([[0, 0, 0, 0], [0, 0, 0, 2]]);
  });

  it('rejects events outside the sensor and bad options', () => {
    expect(() => integrateFrames(e, { frames: 2, splitBy: 'number', width: 2, height: 2 }, undefined, 's.bin')).toThrow(/s.bin: event 3 at \(x=2, y=1\) lies outside the 2x2 sensor/);
    expect(() => integrateFrames(e, { frames: 0, splitBy: 'number', width: 3, height: 2 })).toThrow(/frames must be an integer >= 1/);
  });
});

describe('event datasets from folders, with the frame cache', () => {
  it('N-MNIST: loads Train/<digit>/*.bin, batches [T,N,34,34,2], second epoch reads the cache', async () => {
    const root = tempDir();
    const cacheDir = tempDir();
    for (const d of [0, 3]) {
      mkdirSync(join(root, 'Train', String(d)), { recursive: true });
      for (const k of [1, 2]) writeFileSync(join(root, 'Train', String(d), `0000${k}.bin`), encodeNmnist(events([[d, k, 1, 0], [d, k, 1, 5], [33, 33, 0, 9]])));
    }
    for (let d = 0; d < 10; d++) mkdirSync(join(root, 'Train', String(d)), { recursive: true });
    const ds = await loadNmnist({ root, split: 'train', frames: 2, splitBy: 'number', cacheDir });
    expect(ds.size).toBe(4);
    expect(ds.samples.map((s) => s.label)).toEqual([0, 0, 3, 3]);
    const f = await ds.frames(2); // digit 3, file 00001: events at (3,1) ON twice, (33,33) OFF
    expect(f[((0 * 34 + 1) * 34 + 3) * 2 + 1]).toBe(1); // frame 0 gets event 0 (floor(3/2) = 1 per frame)
    expect(f[((1 * 34 + 1) * 34 + 3) * 2 + 1]).toBe(1);
    expect(f[((1 * 34 + 33) * 34 + 33) * 2 + 0]).toBe(1);
    const first = [];
    for await (const b of hostBatches(ds, { batchSize: 3, seed: 1 })) first.push(b);
    expect(first[0].shape).toEqual([2, 3, 34, 34, 2]);
    expect(ds.cache!.misses).toBe(4);
    // Second epoch: delete the sources, the cache still serves every sample.
    rmSync(join(root, 'Train'), { recursive: true });
    const again = [];
    for await (const b of hostBatches(ds, { batchSize: 3, seed: 1 })) again.push(b);
    expect(again[0].data).toEqual(first[0].data);
    expect(ds.cache!.hits).toBeGreaterThanOrEqual(4);
  });

  it('DVS128 Gesture: cuts recordings by label windows, 0-based labels', async () => {
    const root = tempDir();
    const rec = events([[1, 1, 1, 100], [2, 2, 0, 150], [3, 3, 1, 200], [4, 4, 1, 260], [5, 5, 0, 300], [6, 6, 1, 999]]);
    writeFileSync(join(root, 'user01_led.aedat'), encodeAedat31(rec, { packetSize: 4 }));
    writeFileSync(join(root, 'user01_led_labels.csv'), encodeGestureLabels([{ label: 0, start: 100, end: 200 }, { label: 10, start: 200, end: 301 }]));
    writeFileSync(join(root, 'trials_to_train.txt'), 'user01_led.aedat\n');
    const ds = await loadDvsGesture({ root, split: 'train', frames: 1, splitBy: 'time', cacheDir: tempDir() });
    expect(ds.samples.map((s) => [s.id, s.label])).toEqual([['train/0/user01_led_0', 0], ['train/10/user01_led_0', 10]]);
    expect(rowsOf(await ds.events(0))).toEqual([[1, 1, 1, 100], [2, 2, 0, 150]]);
    const f1 = await ds.frames(1); // events 200, 260, 300 -> (3,3) ON, (4,4) ON, (5,5) OFF
    expect(f1[(3 * 128 + 3) * 2 + 1]).toBe(1);
    expect(f1[(4 * 128 + 4) * 2 + 1]).toBe(1);
    expect(f1[(5 * 128 + 5) * 2 + 0]).toBe(1);
    expect(f1.reduce((a, b) => a + b, 0)).toBe(3);
    expect(await ds.cache!.read('train/0/user01_led_0')).toBeDefined(); // the sibling window was cached too
  });

  it('CIFAR10-DVS: per-class 90/10 cut in file-name order', async () => {
    const root = tempDir();
    const names = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
    for (const n of names) {
      mkdirSync(join(root, n));
      for (let i = 0; i < 10; i++) writeFileSync(join(root, n, `cifar10_${n}_${i}.aedat`), encodeCifar10Dvs(events([[i, 0, 1, i]])));
    }
    const train = await loadCifar10Dvs({ root, split: 'train', frames: 1, splitBy: 'number', cacheDir: false });
    const test = await loadCifar10Dvs({ root, split: 'test', frames: 1, splitBy: 'number', cacheDir: false });
    expect([train.size, test.size]).toEqual([90, 10]);
    expect(test.samples[0].id).toBe('airplane/cifar10_airplane_9');
    expect(test.samples[9].label).toBe(9);
    const f = await test.frames(0);
    expect(f[(0 * 128 + 9) * 2 + 1]).toBe(1);
  });
});
