// The fused neuron op on wasm as a WebAssembly SIMD module generated from the neuron's step IR
// (prebuilt at the package's build for the built-in neurons, else generated with binaryen),
// running in place on tfjs-backend-wasm's heap, split by neuron index across a thread pool where
// the heap is shared (Node, threaded build). Where it cannot run (no prebuilt module and binaryen
// not loaded, an operator without a SIMD form), the JavaScript host kernel runs instead and a
// warning says why.
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { makeNeuronOp, neuronStep, numCheckpoints, type CompiledNeuron, type NeuronOp } from '@spikeflow/core/backend';
import type { BackendWasm } from '../wasm-call.js';
import { binaryenFailure, binaryenIfLoaded, loadBinaryen } from './binaryen.js';
import { UnsupportedExprError } from './emit-expr.js';
import { invariantValues } from './invariants.js';
import { neuronModuleBinary, type NeuronModuleFunction } from './neuron-module.js';
import { neuronIrKey } from './ir-key.js';
import { loadPrebuiltNeuronKernels, neuronKernelsPath, prebuiltNeuronKernel } from './prebuilt.js';
import type { NeuronThreadPool } from './thread-pool.js';

const isNode = typeof process !== 'undefined' && process.versions?.node != null;
const backendNow = (): BackendWasm => tf.backend() as unknown as BackendWasm;

/** Which implementation a neuron's fused op runs on wasm, and why. */
export interface WasmNeuronKernelInfo {
  implementation: 'wasm-simd' | 'js';
  /** Where the SIMD module came from: built with the package ('prebuilt') or by binaryen here ('generated'). */
  module?: 'prebuilt' | 'generated';
  /** Threads the SIMD kernel may split neurons across (1 for the JS kernel). */
  threads: number;
  /** Threads the last call used (small layers run on one). */
  lastCallThreads?: number;
  /** Why the JS host kernel runs instead of the SIMD one. */
  reason?: string;
}

/** tfjs-backend-wasm's memory: `wasmMemory` in the threaded build, the module's export otherwise. */
export function wasmHeap(backend: BackendWasm = backendNow()): WebAssembly.Memory {
  const wasm = backend.wasm as unknown as { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };
  const memory = wasm.wasmMemory ?? wasm.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) throw new Error('@spikeflow/backend-wasm: cannot find the WebAssembly.Memory of tfjs-backend-wasm');
  return memory;
}

const isShared = (memory: WebAssembly.Memory) => typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;

let pool: NeuronThreadPool | undefined;
const compile = (bytes: Uint8Array<ArrayBuffer>): WebAssembly.Module => new WebAssembly.Module(bytes);
let poolThreads = 1;

/** Where the SIMD neuron modules come from, as prepareWasmNeuronKernels() found out. */
export interface WasmNeuronKernelSources {
  /** Prebuilt modules loaded (from setNeuronKernelsPath()). */
  prebuilt: number;
  /** Why the prebuilt modules could not be loaded, when a path was set. */
  prebuiltError?: string;
  /** Whether binaryen is loaded (any neuron, plugins included); else why not. */
  binaryen: boolean;
  binaryenError?: string;
}

let sources: WasmNeuronKernelSources = { prebuilt: 0, binaryen: false };
/** What the last prepareWasmNeuronKernels() call loaded. */
export const wasmNeuronKernelSources = (): WasmNeuronKernelSources => ({ ...sources });

/**
 * Loads the prebuilt neuron modules (where setNeuronKernelsPath() named them) and binaryen, and in
 * Node with a shared heap and `threads` > 1 starts the thread pool. setup() calls it; before it has
 * run, neuron layers on wasm use the JS host kernel (and say so). Returns the threads the SIMD
 * kernels use, or 0 where neither prebuilt modules nor binaryen could be loaded (warned).
 */
export async function prepareWasmNeuronKernels(threads: number): Promise<number> {
  const memory = wasmHeap();
  sources = { prebuilt: 0, binaryen: false };
  const base = neuronKernelsPath();
  if (base) {
    try {
      sources.prebuilt = await loadPrebuiltNeuronKernels(base, isShared(memory));
    } catch (e) {
      sources.prebuiltError = (e as Error).message;
      console.warn(`spikeflow: ${sources.prebuiltError}`);
    }
  }
  try {
    await loadBinaryen();
    sources.binaryen = true;
  } catch (e) {
    sources.binaryenError = (e as Error).message;
    if (sources.prebuilt === 0) {
      console.warn(`spikeflow: neuron layers on wasm will run the JavaScript host kernel: ${sources.binaryenError}`);
      return 0;
    }
  }
  if (pool && (pool.memory !== memory || pool.threads !== threads)) await closeWasmNeuronThreads();
  if (!pool && isNode && threads > 1 && isShared(memory)) {
    const { NeuronThreadPool } = await import('./thread-pool.js');
    pool = new NeuronThreadPool(memory, threads);
  }
  poolThreads = pool?.threads ?? 1;
  return poolThreads;
}

/** Stops the neuron thread pool (the SIMD kernels then run on one thread). */
export async function closeWasmNeuronThreads(): Promise<void> {
  const p = pool;
  pool = undefined;
  poolThreads = 1;
  await p?.close();
}

const infos = new Map<string, WasmNeuronKernelInfo>();
/** What the wasm kernel of a neuron (by CompiledNeuron.key) runs; undefined before its first use. */
export const wasmNeuronKernelInfo = (neuron: CompiledNeuron): WasmNeuronKernelInfo | undefined => infos.get(neuron.key);

/** Records that a neuron runs the JS host kernel, and why. */
export function recordJsFallback(neuron: CompiledNeuron, reason: string): void {
  infos.set(neuron.key, { implementation: 'js', threads: 1, reason });
}

let nextKernelId = 1;
/** A fresh id for a module the thread pool runs (each module is sent to the workers once, by id). */
export const poolKernelId = (): number => nextKernelId++;

/** The thread pool when it runs on `memory` (Node, shared heap, more than one thread), else undefined. */
export const wasmThreadPool = (memory: WebAssembly.Memory): NeuronThreadPool | undefined => (pool?.memory === memory ? pool : undefined);
// Below this many elements (T * M) a call is not worth waking the pool.
const MIN_ELEMENTS_PER_THREAD = 16384;

interface Compiled {
  id: number;
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  exports: Record<NeuronModuleFunction, (...a: number[]) => void> & { [q: string]: unknown };
}

/**
 * The SIMD neuron op for `neuron`, or undefined with the reason it cannot run (the caller falls
 * back to the JS host kernel and reports the reason).
 */
export function simdNeuronKernel(neuron: CompiledNeuron): { op?: NeuronOp; reason?: string } {
  const b = binaryenIfLoaded();
  const ir = neuron.ir;
  const key = neuronIrKey(ir);
  if (!b && !prebuiltNeuronKernel(key, isShared(wasmHeap()))) {
    const why = binaryenFailure() ?? 'binaryen is not loaded yet (call setup() from @spikeflow/backend-wasm before building the network)';
    return { reason: `no prebuilt SIMD module for this neuron's dynamics (IR key ${key}) and ${why}` };
  }
  const S = ir.numStates;
  const K = ir.numParams;
  const byShared = new Map<boolean, { module: WebAssembly.Module; source: 'prebuilt' | 'generated' }>();
  const moduleFor = (shared: boolean) => {
    let m = byShared.get(shared);
    if (!m) {
      // A prebuilt module when there is one (no compile time), else binaryen's.
      const prebuilt = prebuiltNeuronKernel(key, shared);
      if (prebuilt) m = { module: prebuilt, source: 'prebuilt' };
      else if (b) m = { module: compile(neuronModuleBinary(b, ir, { shared }) as Uint8Array<ArrayBuffer>), source: 'generated' };
      else throw new Error(`neuron op "${neuron.kind}": no prebuilt SIMD module for a ${shared ? 'shared' : 'plain'} heap (IR key ${key}) and binaryen is not loaded`);
      byShared.set(shared, m);
    }
    return m;
  };
  let first: ReturnType<typeof moduleFor>;
  try {
    first = moduleFor(isShared(wasmHeap()));
  } catch (e) {
    if (e instanceof UnsupportedExprError) return { reason: e.message };
    throw e;
  }
  const info: WasmNeuronKernelInfo = { implementation: 'wasm-simd', module: first.source, threads: poolThreads };
  let compiled: Compiled | undefined;
  const current = (): Compiled => {
    const memory = wasmHeap();
    if (compiled?.memory !== memory) {
      const { module, source } = moduleFor(isShared(memory));
      info.module = source;
      const instance = new WebAssembly.Instance(module, { env: { memory } });
      compiled = { id: nextKernelId++, module, memory, exports: instance.exports as Compiled['exports'] };
    }
    return compiled;
  };
  const sums = (c: Compiled): number[] => Array.from({ length: K }, (_, k) => (c.exports[neuronStep.backward.writes.gradParam(k)] as WebAssembly.Global).value as number);

  const run = (fn: NeuronModuleFunction, args: number[], T: number, M: number, scalars: number[]): number[] => {
    const c = current();
    const runOwn = (begin: number, end: number) => {
      c.exports[fn](...args, begin, end, ...scalars);
      return sums(c);
    };
    const threads = pool && pool.memory === c.memory ? Math.min(pool.threads, Math.max(1, Math.floor((T * M) / MIN_ELEMENTS_PER_THREAD))) : 1;
    info.lastCallThreads = threads > 1 ? pool!.threads : 1;
    if (threads <= 1 || !pool) return runOwn(0, M);
    pool.share(c.id, c.module);
    return pool.run({ kernel: c.id, fn, args, scalars, numParams: K, runOwn });
  };

  const address = (backend: BackendWasm, t: TensorInfo): number => {
    if (t.dtype !== 'float32') throw new Error(`neuron op "${neuron.kind}": expected float32 tensors, got ${t.dtype}`);
    return (backend.dataIdMap.get(t.dataId) as unknown as { memoryOffset: number }).memoryOffset;
  };
  const scalars = (params: tf.Tensor[]): number[] => {
    const p = params.map((t) => t.dataSync()[0]);
    return [...p, ...invariantValues(ir, p)];
  };

  const op = makeNeuronOp(neuron, {
    forward(x, params, withV) {
      const [T, M] = x.shape;
      const backend = backendNow();
      const s = scalars(params);
      const value = backend.makeOutput(withV ? [1 + S, T, M] : [T, M], 'float32');
      const tape = backend.makeOutput([S, T, M], 'float32');
      run('forward', [address(backend, x), address(backend, value), withV ? 1 : 0, address(backend, tape), T, M], T, M, s);
      return { value: tf.engine().makeTensorFromTensorInfo(value), tape: tf.engine().makeTensorFromTensorInfo(tape) };
    },
    backward(dy, tape, x, params, withV) {
      const [T, M] = x.shape;
      const backend = backendNow();
      const s = scalars(params);
      const gX = backend.makeOutput([T, M], 'float32');
      const gP = run('backward', [address(backend, tape), address(backend, x), address(backend, dy), withV ? 1 : 0, address(backend, gX), T, M], T, M, s);
      return [tf.engine().makeTensorFromTensorInfo(gX), ...gP.map((g) => tf.scalar(g))];
    },
    checkpointed: {
      forward(x, params, k) {
        const [T, M] = x.shape;
        const backend = backendNow();
        const s = scalars(params);
        const value = backend.makeOutput([T, M], 'float32');
        const checkpoints = backend.makeOutput([S, numCheckpoints(T, k), M], 'float32');
        run('forward_ck', [address(backend, x), address(backend, value), address(backend, checkpoints), k, T, M], T, M, s);
        return { value: tf.engine().makeTensorFromTensorInfo(value), checkpoints: tf.engine().makeTensorFromTensorInfo(checkpoints) };
      },
      backward(dy, checkpoints, x, params, k) {
        const [T, M] = x.shape;
        const backend = backendNow();
        const s = scalars(params);
        const gX = backend.makeOutput([T, M], 'float32');
        // The recomputed states of one segment, [S, k, M]: the only tape alive, and only now.
        const segment = backend.makeOutput([S, k, M], 'float32');
        try {
          const gP = run('backward_ck', [address(backend, checkpoints), address(backend, x), address(backend, dy), address(backend, gX), address(backend, segment), k, T, M], T, M, s);
          return [tf.engine().makeTensorFromTensorInfo(gX), ...gP.map((g) => tf.scalar(g))];
        } finally {
          backend.disposeData(segment.dataId);
        }
      },
      // The module reads x[t] (recomputing the segment, then in the backward step) before it stores
      // dL/dx[t], lane by lane, so dL/dx can be written over x (a tensor the op owns).
      backwardOverX(dy, checkpoints, x, params, k) {
        const [T, M] = x.shape;
        const backend = backendNow();
        const s = scalars(params);
        const segment = backend.makeOutput([S, k, M], 'float32');
        try {
          const xAt = address(backend, x);
          const gP = run('backward_ck', [address(backend, checkpoints), xAt, address(backend, dy), xAt, address(backend, segment), k, T, M], T, M, s);
          return [x, ...gP.map((g) => tf.scalar(g))];
        } finally {
          backend.disposeData(segment.dataId);
        }
      },
    },
  });
  infos.set(neuron.key, info);
  return { op };
}
