import type { NdArray } from './ir.js';
import type { Weight } from './model.js';

/** Per-sample shape in NIR's order: [H, W, C] -> [C, H, W]; vectors unchanged. */
export const toNchw = (shape: readonly number[]): number[] => (shape.length === 3 ? [shape[2], shape[0], shape[1]] : [...shape]);
/** [C, H, W] -> [H, W, C]; vectors unchanged. */
export const toNhwc = (shape: readonly number[]): number[] => (shape.length === 3 ? [shape[1], shape[2], shape[0]] : [...shape]);

/** Conv kernel [kh, kw, cin, cout] (tfjs) -> weight [cout, cin, kh, kw] (NIR, PyTorch). */
export function kernelToNir(k: Weight): NdArray {
  const [kh, kw, cin, cout] = k.shape;
  const out = new Float32Array(k.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = k.data[((y * kw + x) * cin + i) * cout + o];
  return { shape: [cout, cin, kh, kw], data: out };
}

/** Conv weight [cout, cin, kh, kw] (NIR) -> kernel [kh, kw, cin, cout] (tfjs). */
export function kernelFromNir(w: NdArray): Weight {
  const [cout, cin, kh, kw] = w.shape;
  const out = new Float32Array(w.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) out[((y * kw + x) * cin + i) * cout + o] = w.data[((o * cin + i) * kh + y) * kw + x];
  return { shape: [kh, kw, cin, cout], data: out };
}

/**
 * Index of the flat feature (c, h, w) of NIR's flatten in spikeflow's flatten of [H, W, C], which
 * orders features (h, w, c). `flatFrom` is the [H, W, C] shape flattened, or null for a vector.
 */
export function nhwcIndexOf(nchwIndex: number, flatFrom: readonly number[] | null): number {
  if (!flatFrom) return nchwIndex;
  const [H, W, C] = flatFrom;
  const c = Math.floor(nchwIndex / (H * W));
  const h = Math.floor((nchwIndex % (H * W)) / W);
  const w = nchwIndex % W;
  return (h * W + w) * C + c;
}

/** Dense kernel [in, out] (tfjs, inputs ordered h, w, c) -> weight [out, in] (NIR, inputs ordered c, h, w). */
export function denseToNir(k: Weight, flatFrom: readonly number[] | null): NdArray {
  const [fanIn, units] = k.shape;
  const out = new Float32Array(k.data.length);
  for (let j = 0; j < fanIn; j++) {
    const src = nhwcIndexOf(j, flatFrom);
    for (let o = 0; o < units; o++) out[o * fanIn + j] = k.data[src * units + o];
  }
  return { shape: [units, fanIn], data: out };
}

/** Dense weight [out, in] (NIR) -> kernel [in, out] (tfjs), inverse of denseToNir. */
export function denseFromNir(w: NdArray, flatFrom: readonly number[] | null): Weight {
  const [units, fanIn] = w.shape;
  const out = new Float32Array(w.data.length);
  for (let j = 0; j < fanIn; j++) {
    const dst = nhwcIndexOf(j, flatFrom);
    for (let o = 0; o < units; o++) out[dst * units + o] = w.data[o * fanIn + j];
  }
  return { shape: [fanIn, units], data: out };
}

/** TensorFlow's 'same' padding along one axis: [before, after]. */
export function samePadding(size: number, window: number, stride: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + window - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}
