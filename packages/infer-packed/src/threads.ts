// Packed inference on several threads: the batch is split into one contiguous slice per thread
// (the main thread runs the first slice, each worker thread one more), every thread with its own
// compiled copy of the network. Images and results live in shared memory (SharedArrayBuffer), so
// nothing is copied to or from the workers; each sample runs exactly as on one thread, so the
// predictions and spike counts are those of one thread. A batch of one sample runs on the main
// thread alone (a sample takes a fraction of a millisecond: handing layers out would cost more
// than it saves).
import { compileInference, type CostReport, type PackedNetwork, type PackedPrediction, type PredictOptions } from './engine.js';
import type { CompileOptions } from './compile.js';
import { reviveNetwork, snapshotNetwork, type PackableNetwork } from './snapshot.js';
import type { FromWorker, ToWorker } from './worker.js';

export interface ThreadOptions extends CompileOptions {
  /** Threads in all, the main thread included (1: no worker). */
  threads: number;
}

/** The messaging both Node's worker_threads and Web Workers offer, as used here. */
interface WorkerLike {
  post(message: ToWorker): void;
  onMessage(handler: (message: FromWorker) => void): void;
  onError(handler: (error: Error) => void): void;
  /** Whether an idle worker keeps a Node process alive. */
  hold(busy: boolean): void;
  terminate(): Promise<unknown>;
}

async function startWorker(): Promise<WorkerLike> {
  if (typeof process !== 'undefined' && typeof process.versions?.node === 'string') {
    // From TypeScript sources (tests), the worker runs its .ts file through tsx; built, its .js file.
    const fromSources = import.meta.url.endsWith('.ts');
    const url = new URL(fromSources ? './worker.ts' : './worker.js', import.meta.url);
    const { Worker } = await import('node:worker_threads');
    let w: import('node:worker_threads').Worker;
    if (fromSources) {
      // tsx's ESM entry (its package exports map it beside the CommonJS one), loaded by a small eval worker.
      const { createRequire } = await import('node:module');
      const { pathToFileURL } = await import('node:url');
      const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
      w = new Worker(`import(${JSON.stringify(tsx)}).then((m) => m.tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(url.href)}))`, { eval: true });
    } else w = new Worker(url);
    return {
      post: (m) => w.postMessage(m),
      onMessage: (h) => w.on('message', h),
      onError: (h) => w.on('error', h),
      hold: (busy) => (busy ? w.ref() : w.unref()),
      terminate: () => w.terminate(),
    };
  }
  if (typeof Worker === 'undefined') throw new Error('infer-packed threads: this runtime has no Worker');
  // Written out in full so that bundlers (vite, webpack) see the worker and bundle it with its imports.
  const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  return {
    post: (m) => w.postMessage(m),
    onMessage: (h) => w.addEventListener('message', (e) => h((e as MessageEvent<FromWorker>).data)),
    onError: (h) => w.addEventListener('error', (e) => h(new Error((e as ErrorEvent).message))),
    hold: () => {},
    terminate: async () => w.terminate(),
  };
}

/** Why this runtime cannot share memory with worker threads, or undefined where it can. */
export function threadsUnavailable(): string | undefined {
  if (typeof SharedArrayBuffer === 'undefined') {
    return 'SharedArrayBuffer is not available (in a browser, the page must be cross-origin isolated: served with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  }
  return undefined;
}

export class ThreadedPackedNetwork {
  /** The main thread's copy: it runs the first slice of every batch, and holds the cost counters. */
  readonly local: PackedNetwork;
  private readonly workers: WorkerLike[];
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextId = 0;

  constructor(local: PackedNetwork, workers: WorkerLike[]) {
    this.local = local;
    this.workers = workers;
    for (const w of workers) {
      w.onMessage((m) => {
        if (m.type === 'ready' || m.id === undefined) return;
        const job = this.pending.get(m.id);
        if (!job) return;
        this.pending.delete(m.id);
        if (m.type === 'done') {
          this.local.addCounters(m.counters);
          job.resolve();
        } else job.reject(new Error(`packed inference worker: ${m.message}`));
      });
      w.onError((e) => {
        for (const job of this.pending.values()) job.reject(e);
        this.pending.clear();
      });
    }
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  get inputSize(): number {
    return this.local.inputSize;
  }

  /** Runs `count` samples over the threads; the same results as PackedNetwork.predict. */
  async predict(images: Float32Array, count = images.length / this.local.inputSize, options: PredictOptions = {}): Promise<PackedPrediction> {
    const per = this.local.inputSize;
    if (!Number.isInteger(count) || count < 0 || images.length < count * per) {
      throw new Error(`predict: expected ${count} samples of ${per} values (${count * per}), got ${images.length} values`);
    }
    const slice = Math.ceil(count / this.threads);
    if (this.workers.length === 0 || count < 2) return this.local.predict(images, count, options);
    const shared = new Float32Array(new SharedArrayBuffer(4 * count * per));
    shared.set(images.subarray(0, count * per));
    const result = this.local.emptyPrediction(count, (bytes) => new SharedArrayBuffer(bytes));
    const kernels = this.local.kernelChoice;
    const jobs: Array<Promise<void>> = [];
    for (const [k, w] of this.workers.entries()) {
      const at = (k + 1) * slice;
      const n = Math.min(slice, count - at);
      if (n <= 0) break;
      const id = this.nextId++;
      jobs.push(new Promise<void>((resolve, reject) => this.pending.set(id, { resolve, reject })));
      w.hold(true);
      w.post({ type: 'job', id, images: shared.subarray(at * per, (at + n) * per), count: n, at, result, timing: options.timing === true, kernels });
    }
    try {
      this.local.predictInto(shared, Math.min(slice, count), result, 0, options);
      await Promise.all(jobs);
    } finally {
      for (const w of this.workers) w.hold(false);
    }
    return result;
  }

  /** See PackedNetwork.calibrate: the choice is measured here and given to every thread. */
  calibrate(images: Float32Array, count?: number): ReturnType<PackedNetwork['calibrate']> {
    return this.local.calibrate(images, count);
  }

  costs(): CostReport {
    return this.local.costs();
  }

  resetCosts(): void {
    this.local.resetCosts();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}

/**
 * compileInference on `threads` threads: the main thread and threads - 1 workers, each with its
 * own compiled copy of the network (its weights read once, here, and sent to the workers).
 */
export async function compileThreaded(network: PackableNetwork, options: ThreadOptions): Promise<ThreadedPackedNetwork> {
  const { threads, ...compile } = options;
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`compileThreaded: threads must be an integer >= 1, got ${threads}`);
  const why = threads > 1 ? threadsUnavailable() : undefined;
  if (why) throw new Error(`compileThreaded: ${threads} threads asked, but ${why}`);
  const snapshot = await snapshotNetwork(network);
  const local = await compileInference(reviveNetwork(snapshot), compile);
  const workers: WorkerLike[] = [];
  try {
    for (let k = 1; k < threads; k++) {
      const w = await startWorker();
      workers.push(w);
      await new Promise<void>((resolve, reject) => {
        w.onMessage((m) => (m.type === 'ready' ? resolve() : m.type === 'error' && m.id === undefined ? reject(new Error(`packed inference worker: ${m.message}`)) : undefined));
        w.onError(reject);
        w.post({ type: 'init', snapshot, simd: compile.simd });
      });
      w.hold(false);
    }
  } catch (e) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw e;
  }
  return new ThreadedPackedNetwork(local, workers);
}
