import * as tf from '@tensorflow/tfjs';
import { hoistInvariants, toJs, type Expr } from './expr.js';
import { makeNeuronOp, partialsReadInput, type NeuronOp } from './neuron-op.js';
import type { CompiledNeuron } from './plugins.js';

/**
 * The fused neuron op for backends whose tensors live in host memory (cpu, wasm): one forward pass
 * and one backward pass over all T, each a single loop over typed arrays, generated as JavaScript
 * from the neuron's expressions (so a user's plugin is fused too). Only H [T, M] is kept for the
 * backward pass; S and V[t-1] are recomputed from it.
 */

type Forward = (x: Float32Array, p: Float64Array, T: number, M: number, s: Float32Array, v: Float32Array | null, h: Float32Array) => void;
type Backward = (
  h: Float32Array, x: Float32Array | null, p: Float64Array, gS: Float32Array, gV: Float32Array | null, T: number, M: number,
  gX: Float32Array, gP: Float64Array,
) => void;

const names = { v: 'vp', x: 'xt', u: 'u', param: (i: number, name: string) => (i >= 1000 ? name : `p${i}`) };
const js = (e: Expr) => toJs(e, names);

/** Locals for the parameters and for what depends on them only (computed once per call, not per element). */
function paramLocals(n: CompiledNeuron, invariants: Array<{ name: string; expr: Expr }>): string {
  return [...n.paramNames.map((_, i) => `const p${i} = p[${i}];`), ...invariants.map((c) => `const ${c.name} = ${js(c.expr)};`)].join(' ');
}

function resetCode(n: CompiledNeuron, h: string, s: string): string {
  return n.vReset !== null ? `(${s} ? ${n.vReset} : ${h})` : `(${h} - ${n.vThreshold} * ${s})`;
}

function generate(compiled: CompiledNeuron): { forward: Forward; backward: Backward } {
  const th = compiled.vThreshold;
  const hoisted = hoistInvariants([compiled.charge, compiled.dChargeDv, compiled.dChargeDx, compiled.surrogateGradient, ...compiled.dChargeDparams]);
  const [charge, dChargeDv, dChargeDx, surrogateGradient, ...dChargeDparams] = hoisted.exprs;
  const n = { ...compiled, charge, dChargeDv, dChargeDx, surrogateGradient, dChargeDparams };
  const locals = paramLocals(n, hoisted.invariants);
  // Time-major loops (t outer, neurons inner) stream through every [T, M] array in order; the
  // state of each neuron lives in a length-M array between steps.
  const forward = new Function('x', 'p', 'T', 'M', 's', 'v', 'h', `
    ${locals}
    const state = new Float32Array(M).fill(${n.vRest});
    for (let t = 0, o = 0; t < T; t++, o += M) {
      for (let m = 0; m < M; m++) {
        const i = o + m;
        const vp = state[m];
        const xt = x[i];
        const ht = ${js(n.charge)};
        const st = ht >= ${th} ? 1 : 0;
        h[i] = ht; s[i] = st;
        const vn = ${resetCode(n, 'ht', 'st')};
        state[m] = vn;
        if (v !== null) v[i] = vn;
      }
    }`) as Forward;

  // dV[t]/dH[t]: through H directly and, unless the reset is detached, through the spike.
  const dVdH =
    n.vReset !== null
      ? n.detachReset ? '(1 - st)' : `(1 - st + (${n.vReset} - ht) * sg)`
      : n.detachReset ? '1' : `(1 - ${th} * sg)`;
  const needsX = partialsReadInput(n);
  const gp = n.dChargeDparams.map((d, k) => `gp${k} += gh * ${js(d)};`).join(' ');
  const backward = new Function('h', 'x', 'p', 'gS', 'gV', 'T', 'M', 'gX', 'gP', `
    ${locals}
    ${n.dChargeDparams.map((_, k) => `let gp${k} = 0;`).join(' ')}
    const carry = new Float64Array(M); // dL/dV[t] flowing back from step t + 1
    for (let t = T - 1; t >= 0; t--) {
      const o = t * M;
      for (let m = 0; m < M; m++) {
        const i = o + m;
        const ht = h[i];
        const st = ht >= ${th} ? 1 : 0;
        const u = ht - ${th};
        const sg = ${js(n.surrogateGradient)};
        const gv = (gV !== null ? gV[i] : 0) + carry[m];
        const gh = gS[i] * sg + gv * ${dVdH};
        let vp = ${n.vRest};
        if (t > 0) { const hq = h[i - M]; const sq = hq >= ${th} ? 1 : 0; vp = Math.fround(${resetCode(n, 'hq', 'sq')}); }
        const xt = ${needsX ? 'x[i]' : '0'};
        gX[i] = gh * ${js(n.dChargeDx)};
        carry[m] = gh * ${js(n.dChargeDv)};
        ${gp}
      }
    }
    ${n.dChargeDparams.map((_, k) => `gP[${k}] = gp${k};`).join(' ')}`) as Backward;
  return { forward, backward };
}

function scalars(params: tf.Tensor[]): Float64Array {
  return Float64Array.from(params.map((p) => p.dataSync()[0]));
}

/**
 * How the host kernel reaches tensor memory. The default copies (dataSync, tf.tensor); a backend
 * whose memory JavaScript can address (wasm's heap) gives views instead and saves the copies.
 */
export interface HostMemory {
  /** Allocates float32 outputs; `views()` must be called after the last allocation of a call. */
  alloc(shapes: number[][]): { tensors: tf.Tensor[]; views: () => Float32Array[] };
  /** The values of tensors (read-only use), valid until the next allocation. */
  read(tensors: tf.Tensor[]): Float32Array[];
}

export const copyingMemory: HostMemory = {
  alloc(shapes) {
    const arrays = shapes.map((shape) => new Float32Array(shape.reduce((a, b) => a * b, 1)));
    let tensors: tf.Tensor[] | undefined;
    // The arrays are filled after views(); the tensors are made from them lazily, once filled.
    return {
      get tensors() {
        tensors ??= arrays.map((a, i) => tf.tensor(a, shapes[i]));
        return tensors;
      },
      views: () => arrays,
    };
  },
  read: (tensors) => tensors.map((t) => t.dataSync() as Float32Array),
};

/** Makes the host-memory fused op for a neuron, or undefined where code generation is not allowed (CSP). */
export function hostNeuronKernel(n: CompiledNeuron, memory: HostMemory = copyingMemory): NeuronOp | undefined {
  let code: ReturnType<typeof generate>;
  try {
    code = generate(n);
  } catch {
    return undefined; // e.g. a browser page whose Content-Security-Policy forbids new Function
  }
  return makeNeuronOp(n, {
    forward(x, params, withV) {
      const [T, M] = x.shape;
      const out = memory.alloc(withV ? [[2, T, M], [T, M]] : [[T, M], [T, M]]);
      const p = scalars(params);
      const [value, h] = out.views();
      const [xd] = memory.read([x]);
      code.forward(xd, p, T, M, value.subarray(0, T * M), withV ? value.subarray(T * M) : null, h);
      const [valueT, hT] = out.tensors;
      return { value: valueT, h: hT };
    },
    backward(dy, h, x, params, withV) {
      const [T, M] = h.shape as [number, number];
      const p = scalars(params);
      const out = memory.alloc([[T, M]]);
      const [gX] = out.views();
      const [hd, dyd, xd] = memory.read(x ? [h, dy, x] : [h, dy]);
      const gP = new Float64Array(params.length);
      code.backward(hd, xd ?? null, p, withV ? dyd.subarray(0, T * M) : dyd, withV ? dyd.subarray(T * M) : null, T, M, gX, gP);
      return [out.tensors[0], ...Array.from(gP, (g) => tf.scalar(g))];
    },
  });
}
