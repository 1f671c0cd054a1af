// Pooling over [H, W, C] for one sample over its steps. Max pooling of spikes is the bitwise OR of
// the packed words under the window (32 channels per operation). Average pooling of spikes counts
// the set bits and scales, as the float network's average pooling does (a sum, then times 1/count:
// windows clipped by 'same' padding count only the inputs they hold).
import type { FloatValue, SpikeValue } from '../values.js';

export interface PoolGeometry {
  inH: number;
  inW: number;
  channels: number;
  outH: number;
  outW: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  padTop: number;
  padLeft: number;
}

export function poolGeometry(inShape: number[], outShape: number[], size: [number, number], stride: [number, number], padding: 'same' | 'valid'): PoolGeometry {
  const [inH, inW, channels] = inShape;
  const [outH, outW] = outShape;
  const [kh, kw] = size;
  const [sh, sw] = stride;
  const padTop = padding === 'same' ? Math.floor(Math.max(0, (outH - 1) * sh + kh - inH) / 2) : 0;
  const padLeft = padding === 'same' ? Math.floor(Math.max(0, (outW - 1) * sw + kw - inW) / 2) : 0;
  return { inH, inW, channels, outH, outW, kh, kw, sh, sw, padTop, padLeft };
}

/** Visits the input positions (iy * inW + ix) under the window of each output position, window rows first. */
function windows(g: PoolGeometry, visit: (outPos: number, inPositions: number[]) => void): void {
  const held: number[] = [];
  for (let oy = 0; oy < g.outH; oy++) {
    for (let ox = 0; ox < g.outW; ox++) {
      held.length = 0;
      for (let ky = 0; ky < g.kh; ky++) {
        const iy = oy * g.sh - g.padTop + ky;
        if (iy < 0 || iy >= g.inH) continue;
        for (let kx = 0; kx < g.kw; kx++) {
          const ix = ox * g.sw - g.padLeft + kx;
          if (ix >= 0 && ix < g.inW) held.push(iy * g.inW + ix);
        }
      }
      visit(oy * g.outW + ox, held);
    }
  }
}

/** The input positions under each output window, computed once per layer. */
export function windowTable(g: PoolGeometry): number[][] {
  const table: number[][] = [];
  windows(g, (o, held) => (table[o] = [...held]));
  return table;
}

export function maxPoolSpikes(table: number[][], input: SpikeValue, out: SpikeValue): void {
  const words = input.words;
  const inPlane = input.positions * words;
  const outPlane = out.positions * words;
  const x = input.data;
  const o = out.data;
  for (let t = 0; t < input.steps; t++) {
    for (let p = 0; p < table.length; p++) {
      const held = table[p];
      const ob = t * outPlane + p * words;
      for (let w = 0; w < words; w++) {
        let word = 0;
        for (let k = 0; k < held.length; k++) word |= x[t * inPlane + held[k] * words + w];
        o[ob + w] = word;
      }
    }
  }
}

export function avgPoolSpikes(table: number[][], input: SpikeValue, out: FloatValue): void {
  const { words, channels } = input;
  const inPlane = input.positions * words;
  const x = input.data;
  const o = out.data;
  const f = Math.fround;
  for (let t = 0; t < input.steps; t++) {
    for (let p = 0; p < table.length; p++) {
      const held = table[p];
      const scale = f(1 / held.length);
      const ob = (t * table.length + p) * channels;
      for (let c = 0; c < channels; c++) {
        const w = c >>> 5;
        const bit = 1 << (c & 31);
        let count = 0;
        for (let k = 0; k < held.length; k++) if (x[t * inPlane + held[k] * words + w] & bit) count++;
        o[ob + c] = f(count * scale);
      }
    }
  }
}

export function poolFloat(kind: 'max' | 'avg', table: number[][], input: FloatValue, out: FloatValue): void {
  const channels = input.shape[2];
  const inPlane = input.data.length / input.steps;
  const x = input.data;
  const o = out.data;
  const f = Math.fround;
  for (let t = 0; t < input.steps; t++) {
    for (let p = 0; p < table.length; p++) {
      const held = table[p];
      const ob = (t * table.length + p) * channels;
      for (let c = 0; c < channels; c++) {
        let acc = kind === 'max' ? -Infinity : 0;
        for (let k = 0; k < held.length; k++) {
          const v = x[t * inPlane + held[k] * channels + c];
          acc = kind === 'max' ? Math.max(acc, v) : f(acc + v);
        }
        o[ob + c] = kind === 'max' ? acc : f(acc * f(1 / held.length));
      }
    }
  }
}
