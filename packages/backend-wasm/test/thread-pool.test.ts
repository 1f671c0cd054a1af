// The thread pool on its own: chunks taken in turn by the main thread and a worker from a shared
// counter, each chunk's sums added in chunk order, a failing chunk reported after the others have
// finished (and the pool usable again), and the limits of the control block.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBinaryen } from '../src/simd/binaryen.js';
import { rowsModuleBinary } from '../src/simd/rows-module.js';
import { NeuronThreadPool } from '../src/simd/thread-pool.js';

const memory = new WebAssembly.Memory({ initial: 16, maximum: 65536, shared: true });
let pool: NeuronThreadPool;
let exports: Record<string, (...a: number[]) => void> & { q0: WebAssembly.Global };
let module: WebAssembly.Module;

beforeAll(async () => {
  const b = await loadBinaryen();
  module = new WebAssembly.Module(rowsModuleBinary(b, true) as Uint8Array<ArrayBuffer>);
  exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as typeof exports;
  pool = new NeuronThreadPool(memory, 2);
  pool.share(1, module);
});
afterAll(async () => {
  await pool.close();
});

const x = 1024; // byte offsets in the shared memory
const out = 1 << 19;

/** add_rows over rows x [rows, cols] into out, in chunks of `per` columns. */
function addRows(rows: number, cols: number, per: number, runOwn?: (begin: number, end: number) => number[]): void {
  pool.run({
    kernel: 1, fn: 'add_rows', args: [x, out, rows, cols], scalars: [], numParams: 0, per,
    runOwn: runOwn ?? ((begin, end) => { exports.add_rows(x, out, rows, cols, begin, end); return []; }),
  });
}

describe('thread pool', () => {
  it('runs every chunk once, whichever thread takes it (64 chunks)', () => {
    const rows = 3;
    const cols = 64 * 20;
    const values = new Float32Array(memory.buffer, x, rows * cols);
    values.forEach((_, i) => (values[i] = (i % 97) * 0.25));
    new Float32Array(memory.buffer, out, cols).fill(Number.NaN);
    addRows(rows, cols, 20);
    const got = new Float32Array(memory.buffer, out, cols);
    for (let c = 0; c < cols; c++) expect(got[c]).toBe(Math.fround(Math.fround(values[c] + values[cols + c]) + values[2 * cols + c]));
  });

  it("adds the chunks' sums in chunk order", () => {
    const n = 4096;
    const values = new Float32Array(memory.buffer, x, n).fill(1);
    values[4000] = Number.POSITIVE_INFINITY; // in the last of 8 chunks
    const run = () => pool.run({
      kernel: 1, fn: 'nonfinite', args: [x, n], scalars: [], numParams: 1, per: 512,
      runOwn: (begin, end) => { exports.nonfinite(x, n, begin, end); return [exports.q0.value as number]; },
    });
    expect(run()).toEqual([1]);
    values[100] = Number.NaN; // and in the first
    expect(run()).toEqual([2]);
  });

  it('reports a chunk that failed on this thread after the others finish, and runs again after', () => {
    const cols = 4 * 64;
    let mine = 0;
    expect(() => addRows(2, cols, 4, (begin, end) => {
      if (mine++ === 0) throw new Error('chunk failed');
      exports.add_rows(x, out, 2, cols, begin, end);
      return [];
    })).toThrow('chunk failed');
    addRows(2, cols, 4); // no chunk left over from the failed run, no hang
  });

  it('refuses more chunks than the control block holds, and chunks not in fours', () => {
    expect(() => addRows(1, 4 * 65, 4)).toThrow(/65 chunks of 4 items \(at most 64/);
    expect(() => addRows(1, 64, 6)).toThrow(/a multiple of 4/);
  });
});
