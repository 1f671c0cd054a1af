// A hand-written SIMD module on tfjs-backend-wasm's heap, instantiated once per heap and run on the
// neuron kernels' thread pool: its functions take int32 arguments, the last of them M, then the
// range [begin, end) of items in [0, M) the call covers.
import { binaryenIfLoaded, type Binaryen } from './binaryen.js';
import { poolKernelId, wasmHeap, wasmThreadPool } from './simd-kernel.js';
import type { PoolFunction } from './thread-pool.js';

/** Chunks per thread in a pooled run. */
const CHUNKS_PER_THREAD = 4;
/** thread-pool.ts's MAX_CHUNKS (not imported: that module loads node:worker_threads, and this one runs in browsers too). */
const MAX_CHUNKS = 64;

export interface PooledInstance<F extends PoolFunction> {
  id: number;
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  exports: Record<F, (...a: number[]) => void> & { q0?: WebAssembly.Global };
}

/** How items [0, M) split over the pool: `chunks` chunks of `per` items (a multiple of 4, as the pool splits). */
export interface Split {
  chunks: number;
  per: number;
}

export interface PooledModule<F extends PoolFunction> {
  /** The module instantiated on the backend's current heap; undefined where binaryen is not loaded. */
  current(): PooledInstance<F> | undefined;
  /** How a run of M items would split (one chunk below minPerThread items per thread, or without threads). */
  split(k: PooledInstance<F>, M: number, threaded?: boolean): Split;
  /**
   * Runs fn over items [0, M) (M the last of the int32 arguments; float64 `scalars` follow begin and
   * end), chunks on the pool; returns the module's q0 summed over the chunks (0 without q0).
   */
  run(k: PooledInstance<F>, fn: F, args: number[], threaded?: boolean, scalars?: number[]): number;
}

export function pooledModule<F extends PoolFunction>(binary: (b: Binaryen, shared: boolean) => Uint8Array, minPerThread: number): PooledModule<F> {
  const modules = new Map<boolean, WebAssembly.Module>();
  let instance: PooledInstance<F> | undefined;

  function current(): PooledInstance<F> | undefined {
    const memory = wasmHeap();
    if (instance?.memory === memory) return instance;
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    let module = modules.get(shared);
    if (!module) {
      const b = binaryenIfLoaded();
      if (!b) return undefined;
      module = new WebAssembly.Module(binary(b, shared) as Uint8Array<ArrayBuffer>);
      modules.set(shared, module);
    }
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as PooledInstance<F>['exports'];
    instance = { id: poolKernelId(), memory, module, exports };
    return instance;
  }

  function split(k: PooledInstance<F>, M: number, threaded = true): Split {
    const pool = wasmThreadPool(k.memory);
    if (!pool || !threaded || M < 2 * minPerThread) return { chunks: 1, per: M };
    // Several chunks a thread, taken in turn: uneven work (spikes cluster in later time steps) and
    // a worker that wakes late even out. At least minPerThread items a chunk.
    const wanted = Math.min(CHUNKS_PER_THREAD * pool.threads, MAX_CHUNKS, Math.floor(M / minPerThread));
    const per = Math.ceil(Math.ceil(M / 4) / wanted) * 4;
    return { chunks: Math.ceil(M / per), per };
  }

  function run(k: PooledInstance<F>, fn: F, args: number[], threaded = true, scalars: number[] = []): number {
    const M = args[args.length - 1];
    const pool = wasmThreadPool(k.memory);
    const runOwn = (begin: number, end: number): number[] => {
      k.exports[fn](...args, begin, end, ...scalars);
      return [(k.exports.q0?.value as number | undefined) ?? 0];
    };
    const { chunks, per } = split(k, M, threaded);
    if (!pool || chunks === 1) return runOwn(0, M)[0];
    pool.share(k.id, k.module);
    return pool.run({ kernel: k.id, fn, args, scalars, numParams: k.exports.q0 ? 1 : 0, per, runOwn })[0] ?? 0;
  }

  return { current, split, run };
}
