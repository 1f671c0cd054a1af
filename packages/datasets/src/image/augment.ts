// Training-time augmentation on one HWC byte image, writing floats in [0, 1].
import { OptionError } from '../errors.js';

/** Random affine for MNIST-like digits: rotation, translation and scale about the image centre. */
export interface AffineAugment {
  kind: 'affine';
  /** Max rotation in degrees (uniform in [-degrees, degrees]). Default 10. */
  degrees?: number;
  /** Max shift as a fraction of width/height. Default 0.1. */
  translate?: number;
  /** Scale range. Default [0.9, 1.1]. */
  scale?: [number, number];
}

/** CIFAR-10 standard: zero-pad, random crop back to size, random horizontal flip. */
export interface CropFlipAugment {
  kind: 'crop-flip';
  /** Zero padding on each side before cropping. Default 4. */
  padding?: number;
  /** Flip probability. Default 0.5. */
  flip?: number;
}

export type Augment = AffineAugment | CropFlipAugment;

export function checkAugment(a: Augment): void {
  if (a.kind === 'affine') {
    const [lo, hi] = a.scale ?? [0.9, 1.1];
    if (!(lo > 0 && hi >= lo)) throw new OptionError(`affine scale must be 0 < min <= max, got [${lo}, ${hi}]`);
  } else if (a.kind === 'crop-flip') {
    if ((a.padding ?? 4) < 0) throw new OptionError(`crop-flip padding must be >= 0, got ${a.padding}`);
  } else {
    throw new OptionError(`unknown augmentation kind "${(a as { kind: string }).kind}"`);
  }
}

/** Applies `aug` to `src` (h*w*c bytes) and writes h*w*c floats into `out`. */
export function augmentImage(aug: Augment, src: Uint8Array, out: Float32Array, h: number, w: number, c: number, rng: () => number): void {
  if (aug.kind === 'affine') affine(aug, src, out, h, w, c, rng);
  else cropFlip(aug, src, out, h, w, c, rng);
}

function affine(a: AffineAugment, src: Uint8Array, out: Float32Array, h: number, w: number, c: number, rng: () => number): void {
  const deg = a.degrees ?? 10;
  const tr = a.translate ?? 0.1;
  const [lo, hi] = a.scale ?? [0.9, 1.1];
  const angle = ((rng() * 2 - 1) * deg * Math.PI) / 180;
  const s = lo + rng() * (hi - lo);
  const tx = (rng() * 2 - 1) * tr * w;
  const ty = (rng() * 2 - 1) * tr * h;
  // Inverse map: for each output pixel find its source position, then sample bilinearly.
  const cos = Math.cos(angle) / s;
  const sin = Math.sin(angle) / s;
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const dx = x - cx - tx;
      const dy = y - cy - ty;
      const sx = cos * dx + sin * dy + cx;
      const sy = -sin * dx + cos * dy + cy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      for (let ch = 0; ch < c; ch++) {
        const v00 = px(src, x0, y0, ch, h, w, c);
        const v10 = px(src, x0 + 1, y0, ch, h, w, c);
        const v01 = px(src, x0, y0 + 1, ch, h, w, c);
        const v11 = px(src, x0 + 1, y0 + 1, ch, h, w, c);
        const v = (v00 * (1 - fx) + v10 * fx) * (1 - fy) + (v01 * (1 - fx) + v11 * fx) * fy;
        out[(y * w + x) * c + ch] = v / 255;
      }
    }
  }
}

function px(src: Uint8Array, x: number, y: number, ch: number, h: number, w: number, c: number): number {
  return x < 0 || y < 0 || x >= w || y >= h ? 0 : src[(y * w + x) * c + ch];
}

function cropFlip(a: CropFlipAugment, src: Uint8Array, out: Float32Array, h: number, w: number, c: number, rng: () => number): void {
  const pad = a.padding ?? 4;
  const ox = Math.floor(rng() * (2 * pad + 1)) - pad;
  const oy = Math.floor(rng() * (2 * pad + 1)) - pad;
  const flip = rng() < (a.flip ?? 0.5);
  for (let y = 0; y < h; y++) {
    const sy = y + oy;
    for (let x = 0; x < w; x++) {
      const sx = (flip ? w - 1 - x : x) + ox;
      const o = (y * w + x) * c;
      if (sx < 0 || sy < 0 || sx >= w || sy >= h) {
        for (let ch = 0; ch < c; ch++) out[o + ch] = 0;
      } else {
        const i = (sy * w + sx) * c;
        for (let ch = 0; ch < c; ch++) out[o + ch] = src[i + ch] / 255;
      }
    }
  }
}
