// Tile on wasm, for the case broadcasting produces: repeating the whole tensor along leading
// axes (e.g. a per-channel [1,1,1,C] gradient to [N,H,W,C]). tfjs-backend-wasm's Tile handles
// that element by element; whole-tensor repeats are memory copies that double in size each step.
import type { KernelConfig, KernelFunc, TensorInfo, TileAttrs } from '@tensorflow/tfjs';
import { runWasm, type BackendWasm } from '../wasm-call.js';

/** How many times x repeats as a whole, or 0 if some axis after the first non-unit one is tiled. */
function wholeRepeats(shape: number[], reps: number[]): number {
  let firstData = shape.findIndex((d) => d > 1);
  if (firstData < 0) firstData = shape.length;
  if (reps.slice(firstData).some((r) => r !== 1)) return 0;
  return reps.slice(0, firstData).reduce((p, q) => p * q, 1);
}

export function tile(args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: TileAttrs }): TensorInfo {
  const { inputs: { x }, backend, attrs: { reps } } = args;
  const repeats = wholeRepeats(x.shape, reps);
  if (repeats === 0 || x.dtype === 'string') return runWasm('Tile', backend, { x }, { reps });
  const out = backend.makeOutput(x.shape.map((d, i) => d * reps[i]), x.dtype);
  const dst = backend.typedArrayFromHeap(out);
  const src = backend.typedArrayFromHeap(x);
  if (dst.length === 0) return out;
  dst.set(src);
  for (let filled = src.length; filled < dst.length; filled *= 2) {
    dst.copyWithin(filled, 0, Math.min(filled, dst.length - filled));
  }
  return out;
}

export const tileConfig: KernelConfig = {
  kernelName: 'Tile',
  backendName: 'wasm',
  kernelFunc: tile as unknown as KernelFunc,
};
