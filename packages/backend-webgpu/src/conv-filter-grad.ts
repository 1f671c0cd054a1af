import * as tf from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs } from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

/** The convolution a filter gradient is taken for (NHWC input, [KH, KW, Ci, Co] filter, dilation 1). */
export interface FilterGradShape {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
}

/** Output positions (b, oh, ow) one thread sums over: enough work per thread, enough threads per layer. */
const POSITIONS_PER_CHUNK = 1024;

/**
 * dL/dW of a 2-D convolution as a split-K product: dW[k, co] = sum over output positions l of
 * x_patch[l, k] * dy[l, co], where k = (r * KW + c) * Ci + ci runs over the filter taps. The
 * positions are cut into chunks of whole output rows; one thread sums one chunk for a 4 x 4 tile of
 * (k, co), reading the input patch in place (no im2col buffer): 8 reads for 16 multiply-adds, where
 * tfjs's kernel (one thread per filter element over every position) does 2 reads per multiply-add
 * and leaves most of a GPU idle on small filters. The output is [chunks, K, Co]; the chunks are
 * summed after. Shapes are baked into the WGSL, so the compiler folds the index arithmetic.
 */
export class FilterGradProgram implements WebGPUProgram {
  variableNames = ['X', 'DY'];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0, 1, 2] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  // tfjs binds a uniform buffer to every program: the shader must read one.
  uniforms = 'numChunks : i32,';
  readonly chunks: number;
  private readonly rowsPerChunk: number;
  private readonly tiles: number;

  constructor(private readonly s: FilterGradShape) {
    const K = s.kh * s.kw * s.inC;
    const rows = s.batch * s.outH;
    this.rowsPerChunk = Math.max(1, Math.round(POSITIONS_PER_CHUNK / s.outW));
    this.chunks = Math.ceil(rows / this.rowsPerChunk);
    this.tiles = Math.ceil(K / 4) * Math.ceil(s.outC / 4);
    this.outputShape = [this.chunks, K, s.outC];
    this.dispatch = [Math.ceil((this.chunks * this.tiles) / 64), 1, 1];
    this.shaderKey = `spikeflow_filter_grad_${Object.values(s).join('_')}`;
  }

  getUserCode(): string {
    const s = this.s;
    const K = s.kh * s.kw * s.inC;
    const coTiles = Math.ceil(s.outC / 4);
    const rows = s.batch * s.outH;
    const j4 = [0, 1, 2, 3];
    // dy of 4 output channels at one position: a vec4 read when Co is a multiple of 4.
    const dy = s.outC % 4 === 0
      ? 'let d = vec4<f32>(DY[dyBase], DY[dyBase + 1], DY[dyBase + 2], DY[dyBase + 3]);'
      : `let d = vec4<f32>(${j4.map((q) => (q === 0 ? 'DY[dyBase]' : `select(0.0, DY[min(dyBase + ${q}, ${rows * s.outW * s.outC - 1})], co0 + ${q} < ${s.outC})`)).join(', ')});`;
    return `
fn main(index : i32) {
  let chunk = index / ${this.tiles};
  let tile = index - chunk * ${this.tiles};
  if (chunk >= uniforms.numChunks) { return; }
  let kBase = (tile / ${coTiles}) * 4;
  let co0 = (tile % ${coTiles}) * 4;
${j4.map((j) => `  let k${j} = min(kBase + ${j}, ${K - 1});
  let ci${j} = k${j} % ${s.inC};
  let c${j} = (k${j} / ${s.inC}) % ${s.kw} - ${s.padLeft};
  let r${j} = k${j} / ${s.inC * s.kw} - ${s.padTop};`).join('\n')}
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  let rowEnd = min((chunk + 1) * ${this.rowsPerChunk}, ${rows});
  for (var row = chunk * ${this.rowsPerChunk}; row < rowEnd; row = row + 1) {
    let b = row / ${s.outH};
    let oh = row - b * ${s.outH};
    let xRow = b * ${s.inH};
${j4.map((j) => `    let ih${j} = oh * ${s.strideH} + r${j};
    let okH${j} = ih${j} >= 0 && ih${j} < ${s.inH};
    let xBase${j} = ((xRow + ih${j}) * ${s.inW}) * ${s.inC} + ci${j};`).join('\n')}
    for (var ow = 0; ow < ${s.outW}; ow = ow + 1) {
      let dyBase = (row * ${s.outW} + ow) * ${s.outC} + co0;
      ${dy}
${j4.map((j) => `      let iw${j} = ow * ${s.strideW} + c${j};
      if (okH${j} && iw${j} >= 0 && iw${j} < ${s.inW}) { acc${j} = acc${j} + X[xBase${j} + iw${j} * ${s.inC}] * d; }`).join('\n')}
    }
  }
  let out = chunk * ${K * s.outC};
${j4.map((j) => `  if (kBase + ${j} < ${K}) {
${j4.map((q) => `    if (co0 + ${q} < ${s.outC}) { result[out + (kBase + ${j}) * ${s.outC} + co0 + ${q}] = acc${j}[${q}]; }`).join('\n')}
  }`).join('\n')}
}`;
  }
}

/** The convolution's shape from Conv2DBackpropFilter's inputs and attributes (tfjs's own arithmetic). */
export function filterGradShape(xShape: number[], attrs: Conv2DBackpropFilterAttrs): FilterGradShape {
  const info = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  return {
    batch: info.batchSize, inH: info.inHeight, inW: info.inWidth, inC: info.inChannels,
    outH: info.outHeight, outW: info.outWidth, outC: info.outChannels,
    kh: info.filterHeight, kw: info.filterWidth, strideH: info.strideHeight, strideW: info.strideWidth,
    padTop: info.padInfo.top, padLeft: info.padInfo.left,
  };
}

/**
 * The Conv2DBackpropFilter config for webgpu: NHWC float32 runs FilterGradProgram and sums its
 * chunks; anything else (NCHW) runs `original`, tfjs's kernel.
 */
export function filterGradConfig(original: tf.KernelConfig): tf.KernelConfig {
  const sum = tf.getKernel('Sum', 'webgpu');
  const reshape = tf.getKernel('Reshape', 'webgpu');
  if (!sum || !reshape) throw new Error('@spikeflow/backend-webgpu: tfjs has no Sum or Reshape kernel for webgpu');
  const kernelFunc: tf.KernelFunc = (args) => {
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
    if (attrs.dataFormat === 'NCHW' || x.dtype !== 'float32' || dy.dtype !== 'float32') return original.kernelFunc(args);
    const backend = args.backend as unknown as WebGPUBackend;
    const program = new FilterGradProgram(filterGradShape(x.shape, attrs));
    const partial = backend.runWebGPUProgram(program, [x, dy], 'float32', [{ type: 'int32', data: [program.chunks] }]);
    const total = sum.kernelFunc({ inputs: { x: partial }, backend: args.backend, attrs: { axis: 0, keepDims: false } }) as tf.TensorInfo;
    const out = reshape.kernelFunc({ inputs: { x: total }, backend: args.backend, attrs: { shape: attrs.filterShape } }) as tf.TensorInfo;
    backend.disposeData(partial.dataId);
    backend.disposeData(total.dataId);
    return out;
  };
  return { ...original, kernelFunc };
}

let config: tf.KernelConfig | undefined;
let tfjsConfig: tf.KernelConfig | undefined;

/** tfjs's own Conv2DBackpropFilter for webgpu (kept for comparisons and the fallback). */
export function tfjsFilterGradConfig(): tf.KernelConfig {
  if (!tfjsConfig) {
    const original = tf.getKernel('Conv2DBackpropFilter', 'webgpu');
    if (!original) throw new Error('@spikeflow/backend-webgpu: tfjs has no Conv2DBackpropFilter kernel for webgpu to replace');
    tfjsConfig = original;
  }
  return tfjsConfig;
}

/** spikeflow's Conv2DBackpropFilter config, built once over tfjs's (needs tfjs-backend-webgpu loaded). */
export function conv2DBackpropFilterConfig(): tf.KernelConfig {
  config ??= filterGradConfig(tfjsFilterGradConfig());
  return config;
}
