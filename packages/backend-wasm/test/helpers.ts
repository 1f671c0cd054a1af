// Shared test helpers: deterministic data and cpu-vs-wasm gradient comparison.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, expect } from 'vitest';
import { closeWasmNeuronThreads, setup } from '../src/index.js';

/** The file's tests run on the threaded build with two threads (so the pool and partial sums run), on 'wasm'. */
export function useTwoThreads(): void {
  beforeAll(async () => {
    const report = await setup({ threads: 2 });
    expect(report.threads).toBe(2);
    await tf.setBackend('wasm');
  });
  afterAll(async () => {
    await closeWasmNeuronThreads();
  });
}

/** Deterministic uniform values in [-0.5, 0.5) (mulberry32). */
export function randomValues(count: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  }
  return out;
}

export interface Input { values: Float32Array; shape: number[] }

export function randomInput(shape: number[], seed: number): Input {
  return { values: randomValues(shape.reduce((a, b) => a * b, 1), seed), shape };
}

/** Value and gradients of f at the inputs, computed on the given backend. */
export async function gradsOn(
  backend: 'cpu' | 'wasm',
  f: (...xs: tf.Tensor[]) => tf.Scalar,
  inputs: Input[],
): Promise<{ value: number; grads: Float32Array[] }> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const xs = inputs.map((i) => tf.tensor(i.values, i.shape));
    const { value, grads } = tf.valueAndGrads(f)(xs);
    return { value: value.dataSync()[0], grads: grads.map((g) => g.dataSync() as Float32Array) };
  });
}

/** max |a - b| relative to max |a| (the scale of the reference). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Gradients of f on wasm and on cpu; returns the worst relative error over all inputs. */
export async function worstGradError(f: (...xs: tf.Tensor[]) => tf.Scalar, inputs: Input[]): Promise<number> {
  const cpu = await gradsOn('cpu', f, inputs);
  const wasm = await gradsOn('wasm', f, inputs);
  let worst = relativeError([cpu.value], [wasm.value]);
  cpu.grads.forEach((g, i) => {
    worst = Math.max(worst, relativeError(g, wasm.grads[i]));
  });
  return worst;
}
