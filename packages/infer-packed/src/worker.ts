// One worker thread of a threaded packed network (threads.ts): compiles the stages from the
// network snapshot it is sent, then runs the slices of batches it is given, reading the images
// from shared memory and writing the results into shared memory. Runs as a Node worker_threads
// worker or a module Web Worker.
import { compileInference, type PackedNetwork, type PackedPrediction } from './engine.js';
import { reviveNetwork, type NetworkSnapshot } from './snapshot.js';
import type { SpikeKernel } from './stages/linear.js';

export type ToWorker =
  | { type: 'init'; snapshot: NetworkSnapshot; simd?: boolean }
  | { type: 'job'; id: number; images: Float32Array; count: number; at: number; result: PackedPrediction; timing: boolean; kernels: Array<SpikeKernel | undefined> };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'done'; id: number; counters: ReturnType<PackedNetwork['takeCounters']> }
  | { type: 'error'; id?: number; message: string };

interface Port {
  post(message: FromWorker): void;
  listen(handler: (message: ToWorker) => void): void;
}

async function port(): Promise<Port> {
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (isNode) {
    const { parentPort } = await import('node:worker_threads');
    if (!parentPort) throw new Error('infer-packed worker: not started as a worker thread');
    return { post: (m) => parentPort.postMessage(m), listen: (h) => parentPort.on('message', h) };
  }
  const scope = globalThis as unknown as { postMessage(m: unknown): void; onmessage: ((e: { data: ToWorker }) => void) | null };
  return { post: (m) => scope.postMessage(m), listen: (h) => { scope.onmessage = (e) => h(e.data); } };
}

const io = await port();
let packed: PackedNetwork | undefined;
io.listen((message) => {
  if (message.type === 'init') {
    compileInference(reviveNetwork(message.snapshot), { simd: message.simd })
      .then((p) => {
        packed = p;
        io.post({ type: 'ready' });
      })
      .catch((e: unknown) => io.post({ type: 'error', message: (e as Error).message }));
    return;
  }
  try {
    if (!packed) throw new Error('infer-packed worker: a job before the network was compiled');
    packed.kernelChoice = message.kernels;
    packed.predictInto(message.images, message.count, message.result, message.at, { timing: message.timing });
    io.post({ type: 'done', id: message.id, counters: packed.takeCounters() });
  } catch (e) {
    io.post({ type: 'error', id: message.id, message: (e as Error).message });
  }
});
