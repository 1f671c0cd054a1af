// The backward pass of max pooling over windows that neither overlap nor cross the input's edge
// (stride >= size, 'valid' padding: the paper's 2x2 stride 2 pooling). Every input element lies in
// at most one window, so dx is written once per element, with no zeroing and no scatter. The forward
// output gives each window's maximum; the first element equal to it (row-major) takes dy.
//
// On spikes the comparisons are unpredictable (ties of 1s and 0s everywhere), so the choice is made
// with integer masks instead of branches, in a loop body unrolled over the window's elements:
// generated once per window size, it measured 3x faster than a branchy loop over the window.

type Array32 = Float32Array | Int32Array | Uint8Array;
export type DisjointPoolGrad = (
  x: Array32, y: Array32, dy: Array32, dx: Array32,
  batch: number, inHeight: number, inWidth: number, channels: number, outHeight: number, outWidth: number, strideH: number, strideW: number,
) => void;

const cache = new Map<string, DisjointPoolGrad | null>();

function generate(kh: number, kw: number): DisjointPoolGrad {
  const taps: string[] = [];
  for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) taps.push(`p + ${(a === 0 ? '' : `${a} * rowStride + `)}${b} * C`);
  const K = taps.length;
  // e_j: element j equals the maximum; t_j: it is the first that does (no earlier e). Integer masks:
  // no branches, and no float arithmetic to pick the element.
  const body = taps.map((tap, j) => {
    const hit = `const e${j} = (x[${tap} + k] === max) | 0;`;
    return j === 0 ? `${hit} const t0 = e0; let seen = e0;` : `${hit} const t${j} = e${j} & ~seen; seen |= e${j};`;
  });
  // + 0 turns the -0 of 0 * (negative dy) into 0, as the other kernels write. (A non-finite dy would
  // spread NaN to the window's other elements: 0 * Infinity.)
  const writes = taps.map((tap, j) => `dx[${tap} + k] = t${j} * grad + 0;`);
  return new Function('x', 'y', 'dy', 'dx', 'N', 'H', 'W', 'C', 'OH', 'OW', 'sh', 'sw', `
    const rowStride = W * C;
    let o = 0;
    for (let n = 0; n < N; n++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++, o += C) {
          const p = ((n * H + oh * sh) * W + ow * sw) * C;
          for (let k = 0; k < C; k++) {
            const max = y[o + k];
            const grad = dy[o + k];
            ${body.join('\n            ')}
            ${writes.join('\n            ')}
          }
        }
      }
    }
    // ${K} elements per window`) as DisjointPoolGrad;
}

/**
 * The generated loop for kh x kw windows, or null where it cannot be generated (a page that
 * forbids new Function); windows of more than 16 elements are left to the general loop.
 */
export function disjointPoolGrad(kh: number, kw: number): DisjointPoolGrad | null {
  if (kh * kw > 16) return null;
  const key = `${kh}x${kw}`;
  if (!cache.has(key)) {
    try {
      cache.set(key, generate(kh, kw));
    } catch {
      cache.set(key, null);
    }
  }
  return cache.get(key)!;
}
