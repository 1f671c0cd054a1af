// A conv or dense layer as one runnable step: the WebAssembly SIMD kernel where it runs (output
// channels a multiple of 4), else the JavaScript loops; both with the same order and rounding.
import type { Arena } from '../arena.js';
import type { ConvKernels } from '../wasm/conv-kernel.js';
import type { FloatValue, SpikeValue, Value } from '../values.js';
import { convFloat, convSpikes, type ConvGeometry } from './conv.js';
import { batchNormDivisor, makeEpilogue, type BatchNormValues } from './epilogue.js';

export interface LinearLayer {
  geometry: ConvGeometry;
  kernel: Float32Array;
  bias?: Float32Array;
  batchNorm?: BatchNormValues;
}

/** A dense layer on `input` as a valid convolution whose window covers every position of it. */
export function denseGeometry(input: Value, units: number): ConvGeometry {
  const channels = input.kind === 'spikes' ? input.channels : input.shape[input.shape.length - 1];
  const positions = input.kind === 'spikes' ? input.positions : input.data.length / input.steps / channels;
  return { inH: 1, inW: positions, cin: channels, outH: 1, outW: 1, cout: units, kh: 1, kw: positions, sh: 1, sw: 1, padTop: 0, padLeft: 0 };
}

/** How a layer fed by spikes reads them: set bits one by one, or every bit as a mask. */
export type SpikeKernel = 'events' | 'bitmask';

export interface LinearRuns {
  /** Runs the layer on one sample: fills the output, returns the SynOps (spikes times fan-out) or multiply-adds. */
  run: (x: Value) => number;
  /** On spikes with WebAssembly SIMD: both kernels (same output), for the engine to measure and choose. */
  kernels?: Record<SpikeKernel, (x: Value) => number>;
}

/** The layer's runs on one sample. */
export async function linearRun(layer: LinearLayer, input: Value, out: FloatValue, arena: Arena, kernels: ConvKernels | undefined): Promise<LinearRuns> {
  const g = layer.geometry;
  const spikes = input.kind === 'spikes';
  const simd = await kernels?.forChannels(g.cout);
  if (simd) {
    const kernel = arena.copy(layer.kernel);
    const bias = layer.bias ? arena.copy(layer.bias) : undefined;
    const bn = layer.batchNorm;
    // The divisor and the offset as float64: the kernel divides and adds in float64, as tfjs's wasm batch norm does.
    const norm = bn ? arena.copyDoubles(Array.from(bn.variance, (v) => batchNormDivisor(v, bn.epsilon))) : undefined;
    const beta = bn ? arena.copyDoubles(bn.beta) : undefined;
    const [mean, gamma] = bn ? [arena.copy(bn.mean), arena.copy(bn.gamma)] : [];
    const ptr = (a?: Float32Array | Float64Array) => (a ? a.byteOffset : 0);
    const stride = spikes ? (input as SpikeValue).words : g.cin;
    const tail = [g.inH, g.inW, stride, g.cin, g.outH, g.outW, g.cout, g.kh, g.kw, g.sh, g.sw, g.padTop, g.padLeft, ptr(bias), ptr(mean), ptr(gamma), ptr(beta), ptr(norm)] as const;
    const runOf = (k: (...args: number[]) => number) => (x: Value) => simd.block * k(x.data.byteOffset, kernel.byteOffset, out.data.byteOffset, x.steps, ...tail);
    if (!spikes) return { run: runOf(simd.real) };
    const both = { events: runOf(simd.spikes), bitmask: runOf(simd.bitmask) };
    return { run: both.events, kernels: both };
  }
  const epilogue = makeEpilogue(g.cout, layer.bias, layer.batchNorm);
  const kernel = layer.kernel;
  return {
    run: spikes
      ? (x) => convSpikes(g, x as SpikeValue, kernel, out, epilogue)
      : (x) => convFloat(g, x as FloatValue, kernel, out, epilogue),
  };
}
