// Node: a pool of worker threads that run a module's chunks of items (neurons, pixels, rows) on the
// same shared memory as tfjs-backend-wasm. Chunks are taken in turn from a shared counter by the
// main thread and the workers alike, so a worker that wakes late, or a chunk with more work (more
// spikes, later time steps), costs only what it takes; the main thread then waits
// (Atomics.wait) for the chunks still running. Each chunk's partial sums (dL/dparam) come back in
// float64 through a shared control block and are added in chunk order on the main thread, whoever
// ran them. Workers are unref'd: an idle pool never keeps the process alive.
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { NEURON_MODULE_FUNCTIONS, type NeuronModuleFunction } from './neuron-module.js';
import { SPIKE_MODULE_FUNCTIONS, type SpikeModuleFunction } from './spike-module.js';
import { ROWS_MODULE_FUNCTIONS, type RowsModuleFunction } from './rows-module.js';
import { OPTIMIZER_MODULE_FUNCTIONS, type OptimizerModuleFunction } from './optimizer-module.js';
import { EVENTS_MODULE_FUNCTIONS, type EventsModuleFunction } from './events-module.js';

/** Every function a pooled module may run, named by index in the control block. */
const POOL_FUNCTIONS: readonly string[] = [...NEURON_MODULE_FUNCTIONS, ...SPIKE_MODULE_FUNCTIONS, ...ROWS_MODULE_FUNCTIONS, ...OPTIMIZER_MODULE_FUNCTIONS, ...EVENTS_MODULE_FUNCTIONS];
export type PoolFunction = NeuronModuleFunction | SpikeModuleFunction | RowsModuleFunction | OptimizerModuleFunction | EventsModuleFunction;

/** Control block (Int32 indices). */
const SEQ = 0;
const DONE = 1; // chunks finished
const NEXT = 9; // (SEQ's tag << 16) | the next chunk to take
const PER = 10; // items per chunk
const KERNEL = 2;
const FN = 3;
const CHUNKS = 4;
const NARGS = 5;
const NSCALARS = 6;
const FAILED = 7;
const STOP = 8;
const ARGS = 16; // up to MAX_ARGS int32 arguments
const MAX_ARGS = 32;
const SCALARS_F64 = 24; // float64 index (byte 192, after the arguments): up to MAX_SCALARS scalars
export const MAX_SCALARS = 240;
const PARTIALS_F64 = SCALARS_F64 + MAX_SCALARS; // per chunk: up to MAX_PARAMS sums
export const MAX_PARAMS = 32;

// The worker's code (plain CommonJS, run with eval: the package ships no separate worker file).
const WORKER = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { control, memory, port, id } = workerData;
const i32 = new Int32Array(control);
const f64 = new Float64Array(control);
const kernels = new Map();
const load = (id) => {
  for (let m; !kernels.has(id) && (m = receiveMessageOnPort(port)); ) {
    kernels.set(m.message.id, new WebAssembly.Instance(m.message.module, { env: { memory } }).exports);
  }
  const k = kernels.get(id);
  if (!k) throw new Error('neuron kernel ' + id + ' was never sent to this worker');
  return k;
};
let seen = 0;
// A pending Atomics.waitAsync does not keep a worker's event loop alive; this does (the worker
// itself is unref'd, so it never keeps the process alive).
const keepAlive = setInterval(() => {}, 1 << 30);
(async () => {
  for (;;) {
    const w = Atomics.waitAsync(i32, ${SEQ}, seen);
    if (w.async) await w.value;
    seen = Atomics.load(i32, ${SEQ});
    if (Atomics.load(i32, ${STOP})) return clearInterval(keepAlive);
    const tag = seen & 0x7fff;
    for (;;) {
      const cur = Atomics.load(i32, ${NEXT});
      const chunks = i32[${CHUNKS}];
      if ((cur >>> 16) !== tag || (cur & 0xffff) >= chunks) break;
      if (Atomics.compareExchange(i32, ${NEXT}, cur, cur + 1) !== cur) continue;
      // This chunk is ours: the job cannot change before it is counted done.
      const c = cur & 0xffff;
      try {
        const exports = load(i32[${KERNEL}]);
        const args = Array.from(i32.subarray(${ARGS}, ${ARGS} + i32[${NARGS}]));
        const scalars = Array.from(f64.subarray(${SCALARS_F64}, ${SCALARS_F64} + i32[${NSCALARS}]));
        const M = args[args.length - 1];
        const per = i32[${PER}];
        const fn = exports[${JSON.stringify(POOL_FUNCTIONS)}[i32[${FN}]]];
        fn(...args, Math.min(M, c * per), Math.min(M, (c + 1) * per), ...scalars);
        for (let k = 0; exports['q' + k] !== undefined; k++) f64[${PARTIALS_F64} + c * ${MAX_PARAMS} + k] = exports['q' + k].value;
      } catch (e) {
        Atomics.store(i32, ${FAILED}, 1);
        console.error('spikeflow thread ' + id + ', chunk ' + c + ': ' + (e && e.stack || e));
      }
      if (Atomics.add(i32, ${DONE}, 1) + 1 === chunks) Atomics.notify(i32, ${DONE});
    }
  }
})();
`;

export interface ChunkRun {
  kernel: number;
  fn: PoolFunction;
  /** Int32 arguments before begin/end; the last is M. */
  args: number[];
  scalars: number[];
  numParams: number;
  /** Items per chunk (a multiple of 4); default: M split evenly over the threads. */
  per?: number;
  /** Runs one chunk [begin, end) on this thread and returns its parameter sums. */
  runOwn(begin: number, end: number): number[];
}

/** The most chunks one run may have (the control block holds each chunk's sums). */
export const MAX_CHUNKS = 64;

export class NeuronThreadPool {
  private readonly control = new SharedArrayBuffer(8 * (PARTIALS_F64 + 64 * MAX_PARAMS));
  private readonly i32 = new Int32Array(this.control);
  private readonly f64 = new Float64Array(this.control);
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly sent = new Set<number>();
  private closed = false;

  /** `threads` includes the main thread: threads - 1 workers. */
  constructor(readonly memory: WebAssembly.Memory, readonly threads: number) {
    if (threads > 64) throw new Error(`neuron thread pool: at most 64 threads, got ${threads}`);
    for (let chunk = 1; chunk < threads; chunk++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(WORKER, { eval: true, workerData: { control: this.control, memory, port: port2, id: chunk }, transferList: [port2] });
      worker.unref();
      port1.unref();
      this.workers.push(worker);
      this.ports.push(port1);
    }
  }

  /** Hands a compiled module to every worker (before its first run). */
  share(kernel: number, module: WebAssembly.Module): void {
    if (this.sent.has(kernel)) return;
    for (const port of this.ports) port.postMessage({ id: kernel, module });
    this.sent.add(kernel);
  }

  /**
   * Runs every chunk (this thread takes chunks too), waits for all, returns the parameter sums
   * added in chunk order.
   */
  run(job: ChunkRun): number[] {
    if (this.closed) throw new Error('neuron thread pool: used after close()');
    if (job.args.length > MAX_ARGS || job.scalars.length > MAX_SCALARS || job.numParams > MAX_PARAMS) {
      throw new Error('neuron thread pool: too many arguments for the control block');
    }
    const { i32, f64 } = this;
    const M = job.args[job.args.length - 1];
    const per = job.per ?? Math.ceil(Math.ceil(M / 4) / this.threads) * 4;
    const chunks = Math.max(1, Math.ceil(M / per));
    if (chunks > MAX_CHUNKS || per % 4 !== 0) throw new Error(`neuron thread pool: ${chunks} chunks of ${per} items (at most ${MAX_CHUNKS}, a multiple of 4)`);
    i32[KERNEL] = job.kernel;
    i32[FN] = POOL_FUNCTIONS.indexOf(job.fn);
    i32[CHUNKS] = chunks;
    i32[PER] = per;
    i32[NARGS] = job.args.length;
    i32[NSCALARS] = job.scalars.length;
    i32[FAILED] = 0;
    i32.set(job.args, ARGS);
    f64.set(job.scalars, SCALARS_F64);
    Atomics.store(i32, DONE, 0);
    const seq = (Atomics.load(i32, SEQ) + 1) | 0;
    const tag = seq & 0x7fff;
    Atomics.store(i32, NEXT, tag << 16);
    Atomics.store(i32, SEQ, seq);
    Atomics.notify(i32, SEQ);
    let failure: unknown;
    for (;;) {
      const cur = Atomics.load(i32, NEXT);
      if ((cur & 0xffff) >= chunks) break;
      if (Atomics.compareExchange(i32, NEXT, cur, cur + 1) !== cur) continue;
      const c = cur & 0xffff;
      try {
        if (failure === undefined) {
          const sums = job.runOwn(Math.min(M, c * per), Math.min(M, (c + 1) * per));
          for (let k = 0; k < job.numParams; k++) f64[PARTIALS_F64 + c * MAX_PARAMS + k] = sums[k];
        }
      } catch (e) {
        failure = e;
      }
      Atomics.add(i32, DONE, 1);
    }
    for (let d = Atomics.load(i32, DONE); d < chunks; d = Atomics.load(i32, DONE)) Atomics.wait(i32, DONE, d);
    if (failure !== undefined) throw failure;
    if (i32[FAILED]) throw new Error('neuron thread pool: a worker failed (its error is on stderr)');
    const sums = new Array<number>(job.numParams).fill(0);
    for (let c = 0; c < chunks; c++) for (let k = 0; k < job.numParams; k++) sums[k] += f64[PARTIALS_F64 + c * MAX_PARAMS + k];
    return sums;
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.i32, STOP, 1);
    Atomics.add(this.i32, SEQ, 1);
    Atomics.store(this.i32, NEXT, -1); // no chunk left to take
    Atomics.notify(this.i32, SEQ);
    for (const port of this.ports) port.close();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
