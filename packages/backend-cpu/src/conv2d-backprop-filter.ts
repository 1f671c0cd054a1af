import * as tf from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs } from '@tensorflow/tfjs';

interface CpuBackend {
  data: { get(id: unknown): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo;
}

/**
 * dW[fh, fw, ci, co] = sum over (b, oy, ox) of x[b, oy*sh + fh - top, ox*sw + fw - left, ci] * dy[b, oy, ox, co].
 *
 * One pass over the output pixels; each input value that is zero is skipped, which on spike maps
 * (binary, mostly silent) removes most of the work. Accumulates in float64.
 */
export function conv2DBackpropFilter(x: Float32Array, dy: Float32Array, xShape: number[], info: tf.backend_util.Conv2DInfo): Float32Array {
  const [, H, W, Ci] = xShape;
  const { batchSize: B, outHeight: Oh, outWidth: Ow, outChannels: Co, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const dw = new Float64Array(kh * kw * Ci * Co);
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < Oh; oy++) {
      for (let ox = 0; ox < Ow; ox++) {
        const dyBase = ((b * Oh + oy) * Ow + ox) * Co;
        for (let fh = 0; fh < kh; fh++) {
          const iy = oy * sh + fh - top;
          if (iy < 0 || iy >= H) continue;
          for (let fw = 0; fw < kw; fw++) {
            const ix = ox * sw + fw - left;
            if (ix < 0 || ix >= W) continue;
            const xBase = ((b * H + iy) * W + ix) * Ci;
            const wTap = (fh * kw + fw) * Ci;
            for (let ci = 0; ci < Ci; ci++) {
              const xv = x[xBase + ci];
              if (xv === 0) continue;
              const wBase = (wTap + ci) * Co;
              for (let co = 0; co < Co; co++) dw[wBase + co] += xv * dy[dyBase + co];
            }
          }
        }
      }
    }
  }
  return Float32Array.from(dw);
}

const name = 'Conv2DBackpropFilter';
// tfjs-backend-cpu's own kernel, kept for what this one does not handle (NCHW).
const tfjsKernel = tf.getKernel(name, 'cpu');

/** The kernel config for 'cpu'; it delegates NCHW to tfjs's own kernel. */
export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: name,
  backendName: 'cpu',
  kernelFunc: (args) => {
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
    if (attrs.dataFormat === 'NCHW') {
      if (!tfjsKernel) throw new Error(`${name} (cpu): NCHW is not supported and no tfjs kernel to fall back to`);
      return tfjsKernel.kernelFunc(args);
    }
    const backend = args.backend as unknown as CpuBackend;
    const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
    const values = conv2DBackpropFilter(backend.data.get(x.dataId).values, backend.data.get(dy.dataId).values, x.shape, info);
    return backend.makeTensorInfo(attrs.filterShape, 'float32', values);
  },
};
