import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { registerKernels, type TraitedKernelConfig } from '@spikeflow/core/backend';
import { elementCount, FlatProgram, i32 } from './flat-program.js';

/**
 * Gradient of non-overlapping max pooling, routed to the FIRST maximum of each window in row-major
 * order (PyTorch's choice; tfjs's MaxPoolGrad picks another one on ties, which spikes are full of).
 * One thread per input element: it finds its window's first maximum and takes dY if it is that one.
 * Input X is the pooled tensor, DY the gradient of the pooled output.
 */
class FirstMaxPoolGradProgram extends FlatProgram {
  size = true;
  uniforms = 'poolH : i32, poolW : i32, poolC : i32, poolHo : i32, poolWo : i32,';

  constructor(xShape: number[], private readonly kh: number, private readonly kw: number) {
    super(['X', 'DY'], xShape, `spikeflow_first_max_pool_grad_${kh}x${kw}`, elementCount(xShape));
  }

  getUserCode(): string {
    return `
fn main(index : i32) {
  if (index >= uniforms.size) { return; }
  let H = uniforms.poolH;
  let W = uniforms.poolW;
  let C = uniforms.poolC;
  let c = index % C;
  let w = (index / C) % W;
  let h = (index / (C * W)) % H;
  let b = index / (C * W * H);
  let oh = h / ${this.kh};
  let ow = w / ${this.kw};
  var g = 0.0;
  if (oh < uniforms.poolHo && ow < uniforms.poolWo) {
    let base = ((b * H + oh * ${this.kh}) * W + ow * ${this.kw}) * C + c;
    var best = X[base];
    var bi = 0;
    var bj = 0;
    for (var i = 0; i < ${this.kh}; i = i + 1) {
      for (var j = 0; j < ${this.kw}; j = j + 1) {
        let value = X[base + (i * W + j) * C];
        if (value > best) { best = value; bi = i; bj = j; }
      }
    }
    if (bi == h - oh * ${this.kh} && bj == w - ow * ${this.kw}) {
      g = DY[((b * uniforms.poolHo + oh) * uniforms.poolWo + ow) * C + c];
    }
  }
  result[index] = g;
}`;
  }
}

interface MaxPoolGradAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: unknown;
  dimRoundingMode?: unknown;
}

const pair = (v: [number, number] | number): [number, number] => (Array.isArray(v) ? v : [v, v]);

/**
 * The MaxPoolGrad config for webgpu: non-overlapping windows without padding (the shape max pooling
 * on spikes has) route to the first maximum; other windows run `original`, tfjs's own kernel
 * (which picks another maximum on ties).
 */
export function firstMaxPoolGradConfig(original: tf.KernelConfig): TraitedKernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const attrs = args.attrs as unknown as MaxPoolGradAttrs;
    const [kh, kw] = pair(attrs.filterSize);
    const [sh, sw] = pair(attrs.strides);
    const valid = attrs.pad === 'valid' || attrs.pad === 0;
    if (!(valid && kh === sh && kw === sw && input.dtype === 'float32' && input.shape.length === 4)) return original.kernelFunc(args);
    const [, H, W, C] = input.shape;
    const [, Ho, Wo] = dy.shape;
    const backend = args.backend as unknown as WebGPUBackend;
    const program = new FirstMaxPoolGradProgram(input.shape, kh, kw);
    const uniforms = [H, W, C, Ho, Wo].map(i32);
    return backend.runWebGPUProgram(program, [input, dy], 'float32', uniforms);
  };
  // Declared, so max pooling on spikes runs tfjs's op here rather than its portable fallback.
  return { ...original, kernelFunc, traits: { firstMaxPoolGrad: true } };
}

let config: TraitedKernelConfig | undefined;

/** The first-max MaxPoolGrad config, built once over tfjs's kernel (needs tfjs-backend-webgpu loaded). */
export function maxPoolGradConfig(): TraitedKernelConfig {
  if (!config) {
    const original = tf.getKernel('MaxPoolGrad', 'webgpu');
    if (!original) throw new Error('@spikeflow/backend-webgpu: tfjs has no MaxPoolGrad kernel for webgpu to extend');
    config = firstMaxPoolGradConfig(original);
  }
  return config;
}

/**
 * Registers the first-max MaxPoolGrad for webgpu. Its config declares the firstMaxPoolGrad trait, so
 * max pooling there is one tfjs forward dispatch and one backward dispatch.
 */
export function registerFirstMaxPoolGrad(): void {
  registerKernels([maxPoolGradConfig()], { replace: true }); // extends tfjs's MaxPoolGrad
}
