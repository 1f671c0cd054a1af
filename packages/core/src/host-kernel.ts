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
  const forward = new Function('x', 'p', 'T', 'M', 's', 'v', 'h', `
    ${locals}
    for (let m = 0; m < M; m++) {
      let vp = ${n.vRest};
      for (let t = 0, i = m; t < T; t++, i += M) {
        const xt = x[i];
        const ht = ${js(n.charge)};
        const st = ht >= ${th} ? 1 : 0;
        h[i] = ht; s[i] = st;
        vp = ${resetCode(n, 'ht', 'st')};
        if (v !== null) v[i] = vp;
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
    for (let m = 0; m < M; m++) {
      let carry = 0;
      for (let t = T - 1; t >= 0; t--) {
        const i = t * M + m;
        const ht = h[i];
        const st = ht >= ${th} ? 1 : 0;
        const u = ht - ${th};
        const sg = ${js(n.surrogateGradient)};
        const gv = (gV !== null ? gV[i] : 0) + carry;
        const gh = gS[i] * sg + gv * ${dVdH};
        let vp = ${n.vRest};
        if (t > 0) { const hq = h[i - M]; const sq = hq >= ${th} ? 1 : 0; vp = ${resetCode(n, 'hq', 'sq')}; }
        const xt = ${needsX ? 'x[i]' : '0'};
        gX[i] = gh * ${js(n.dChargeDx)};
        carry = gh * ${js(n.dChargeDv)};
        ${gp}
      }
    }
    ${n.dChargeDparams.map((_, k) => `gP[${k}] = gp${k};`).join(' ')}`) as Backward;
  return { forward, backward };
}

function scalars(params: tf.Tensor[]): Float64Array {
  return Float64Array.from(params.map((p) => p.dataSync()[0]));
}

/** Makes the host-memory fused op for a neuron, or undefined where code generation is not allowed (CSP). */
export function hostNeuronKernel(n: CompiledNeuron): NeuronOp | undefined {
  let code: ReturnType<typeof generate>;
  try {
    code = generate(n);
  } catch {
    return undefined; // e.g. a browser page whose Content-Security-Policy forbids new Function
  }
  return makeNeuronOp(n, {
    forward(x, params, withV) {
      const [T, M] = x.shape;
      const s = new Float32Array(T * M);
      const v = withV ? new Float32Array(T * M) : null;
      const h = new Float32Array(T * M);
      code.forward(x.dataSync() as Float32Array, scalars(params), T, M, s, v, h);
      return { value: v ? tf.tensor3d(concat(s, v), [2, T, M]) : tf.tensor2d(s, [T, M]), h: tf.tensor2d(h, [T, M]) };
    },
    backward(dy, h, x, params, withV) {
      const [T, M] = h.shape as [number, number];
      const dyd = dy.dataSync() as Float32Array;
      const gS = withV ? dyd.subarray(0, T * M) : dyd;
      const gV = withV ? dyd.subarray(T * M) : null;
      const gX = new Float32Array(T * M);
      const gP = new Float64Array(params.length);
      code.backward(h.dataSync() as Float32Array, x ? (x.dataSync() as Float32Array) : null, scalars(params), gS, gV, T, M, gX, gP);
      return [tf.tensor2d(gX, [T, M]), ...Array.from(gP, (g) => tf.scalar(g))];
    },
  });
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
