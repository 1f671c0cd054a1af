// 2-D convolution (NHWC, weights [kh, kw, cin, cout]) for one sample over its steps. Each output
// position gathers the inputs under its window in the order (ky, kx, ci) and accumulates in
// float32, one running sum per output channel: the order and rounding of the float network's
// convolution, so the sums are bit-identical. On spikes only the set bits are visited (the weight
// row is added, no multiply): the work is proportional to the spikes, not to the inputs.
import type { FloatValue, SpikeValue } from '../values.js';
import type { Epilogue } from './epilogue.js';

export interface ConvGeometry {
  inH: number;
  inW: number;
  cin: number;
  outH: number;
  outW: number;
  cout: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  /** Rows and columns of padding before the input (tfjs's 'same': half of the total, rounded down). */
  padTop: number;
  padLeft: number;
}

/**
 * The conv's geometry. Padding: 'same', 'valid', or explicit zeros on both sides (a number or
 * [height, width]); zeros outside the input add nothing to a sum, so they are skipped.
 */
export function convGeometry(inShape: number[], outShape: number[], kernel: [number, number], stride: [number, number], padding: unknown): ConvGeometry {
  const [inH, inW, cin] = inShape;
  const [outH, outW, cout] = outShape;
  const [kh, kw] = kernel;
  const [sh, sw] = stride;
  const explicit = typeof padding === 'number' ? [padding, padding] : Array.isArray(padding) ? padding as number[] : undefined;
  const padTop = explicit ? explicit[0] : padding === 'same' ? Math.floor(Math.max(0, (outH - 1) * sh + kh - inH) / 2) : 0;
  const padLeft = explicit ? explicit[1] : padding === 'same' ? Math.floor(Math.max(0, (outW - 1) * sw + kw - inW) / 2) : 0;
  return { inH, inW, cin, outH, outW, cout, kh, kw, sh, sw, padTop, padLeft };
}

/**
 * Each output position's window, the taps inside the input only (padding skipped), in the order
 * (ky, kx): for position p, taps start[p] .. start[p + 1] - 1, each an input pixel (iy * inW + ix)
 * and a kernel tap (ky * kw + kx). Kept per geometry: both loops below walk it.
 */
interface Windows {
  start: Int32Array;
  pixel: Int32Array;
  tap: Int32Array;
}
const windowsOf = new WeakMap<ConvGeometry, Windows>();
function windows(g: ConvGeometry): Windows {
  const known = windowsOf.get(g);
  if (known) return known;
  const { inH, inW, outH, outW, kh, kw, sh, sw, padTop, padLeft } = g;
  const start = new Int32Array(outH * outW + 1);
  const pixel: number[] = [];
  const tap: number[] = [];
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * sh - padTop + ky;
        if (iy < 0 || iy >= inH) continue;
        for (let kx = 0; kx < kw; kx++) {
          const ix = ox * sw - padLeft + kx;
          if (ix < 0 || ix >= inW) continue;
          pixel.push(iy * inW + ix);
          tap.push(ky * kw + kx);
        }
      }
      start[oy * outW + ox + 1] = pixel.length;
    }
  }
  const made = { start, pixel: Int32Array.from(pixel), tap: Int32Array.from(tap) };
  windowsOf.set(g, made);
  return made;
}

/** Spikes in: adds the kernel row of every set bit. Returns the number of additions (SynOps). */
export function convSpikes(g: ConvGeometry, input: SpikeValue, kernel: Float32Array, out: FloatValue, epilogue?: Epilogue): number {
  const { inH, inW, cin, outH, outW, cout } = g;
  const { start, pixel, tap } = windows(g);
  const positions = outH * outW;
  const words = input.words;
  const x = input.data;
  const o = out.data;
  let events = 0;
  for (let t = 0; t < input.steps; t++) {
    const inBase = t * inH * inW * words;
    for (let p = 0; p < positions; p++) {
      const ob = (t * positions + p) * cout;
      o.fill(0, ob, ob + cout);
      for (let k = start[p]; k < start[p + 1]; k++) {
        const ib = inBase + pixel[k] * words;
        const kb = tap[k] * cin;
        for (let w = 0; w < words; w++) {
          let bits = x[ib + w];
          while (bits !== 0) {
            const low = bits & -bits;
            bits ^= low;
            const row = (kb + (w << 5) + 31 - Math.clz32(low)) * cout;
            for (let c = 0; c < cout; c++) o[ob + c] += kernel[row + c];
            events++;
          }
        }
      }
      if (epilogue) epilogue.apply(o, ob);
    }
  }
  return events * cout;
}

/** Real values in: multiply-adds, skipping zero inputs (adding a zero product leaves a sum as it is). Returns the multiply-adds done. */
export function convFloat(g: ConvGeometry, input: FloatValue, kernel: Float32Array, out: FloatValue, epilogue?: Epilogue): number {
  const { inH, inW, cin, outH, outW, cout } = g;
  const { start, pixel, tap } = windows(g);
  const positions = outH * outW;
  const x = input.data;
  const o = out.data;
  const f = Math.fround;
  let done = 0;
  for (let t = 0; t < input.steps; t++) {
    const inBase = t * inH * inW * cin;
    for (let p = 0; p < positions; p++) {
      const ob = (t * positions + p) * cout;
      o.fill(0, ob, ob + cout);
      for (let k = start[p]; k < start[p + 1]; k++) {
        const ib = inBase + pixel[k] * cin;
        const kb = tap[k] * cin;
        for (let ci = 0; ci < cin; ci++) {
          const v = x[ib + ci];
          if (v === 0) continue;
          const row = (kb + ci) * cout;
          for (let c = 0; c < cout; c++) o[ob + c] += f(v * kernel[row + c]);
          done++;
        }
      }
      if (epilogue) epilogue.apply(o, ob);
    }
  }
  return done * cout;
}
