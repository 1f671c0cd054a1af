import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { definePool, type PoolPlugin, type PoolWindow } from '@spikeflow/core';
import { maxPool as portableMaxPool } from '@spikeflow/pooling';

/**
 * Gradient of non-overlapping max pooling, routed to the FIRST maximum of each window in row-major
 * order (PyTorch's choice; tfjs's MaxPoolGrad picks another one on ties, which spikes are full of).
 * One thread per input element: it finds its window's first maximum and takes dY if it is that one.
 */
class FirstMaxPoolGradProgram implements WebGPUProgram {
  variableNames = ['X', 'DY'];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  size = true;
  uniforms = 'poolH : i32, poolW : i32, poolC : i32, poolHo : i32, poolWo : i32,';

  constructor(xShape: number[], private readonly kh: number, private readonly kw: number) {
    this.outputShape = xShape;
    this.dispatch = [Math.ceil(xShape.reduce((a, b) => a * b, 1) / 64), 1, 1];
    this.shaderKey = `spikeflow_first_max_pool_grad_${kh}x${kw}`;
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

function firstMaxGrad(x: tf.Tensor4D, dy: tf.Tensor, kh: number, kw: number): tf.Tensor {
  const [, H, W, C] = x.shape;
  const [, Ho, Wo] = dy.shape;
  const backend = tf.backend() as unknown as WebGPUBackend;
  const program = new FirstMaxPoolGradProgram(x.shape, kh, kw);
  const uniforms = [H, W, C, Ho, Wo].map((v) => ({ type: 'int32', data: [v] }));
  return tf.engine().makeTensorFromTensorInfo(backend.runWebGPUProgram(program, [x, dy], 'float32', uniforms));
}

const isTiling = (w: PoolWindow, x: tf.Tensor4D): boolean =>
  w.padding === 'valid' && w.stride[0] === w.size[0] && w.stride[1] === w.size[1] && x.shape[1] >= w.size[0] && x.shape[2] >= w.size[1];

function webgpuTilingMaxPool(x: tf.Tensor4D, window: PoolWindow): tf.Tensor4D {
  const [kh, kw] = window.size;
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = (args[0] as tf.Tensor).dtype === 'float32' ? (args[0] as tf.Tensor4D) : tf.cast(args[0] as tf.Tensor, 'float32') as tf.Tensor4D;
    (args[1] as tf.GradSaveFunc)([input]);
    return {
      value: tf.maxPool(input, window.size, window.stride, 'valid'),
      gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => firstMaxGrad(saved as tf.Tensor4D, dy, kh, kw),
    };
  });
  return f(x) as tf.Tensor4D;
}

/**
 * The 'max' pooling plugin for webgpu: tiling windows (the usual 2x2 stride 2) get one forward
 * dispatch (tfjs's maxPool) and one backward dispatch (first-max routing); anything else, and every
 * other backend, runs @spikeflow/pooling's max pooling.
 */
export const webgpuMaxPool: PoolPlugin = definePool({
  ...portableMaxPool,
  apply: (x, window, options) =>
    tf.getBackend() === 'webgpu' && isTiling(window, x) ? webgpuTilingMaxPool(x, window) : portableMaxPool.apply(x, window, options),
});
