import type { CompiledNeuron } from '@spikeflow/core';
import { printWgsl, wgslNumber, UnsupportedExprError } from './wgsl-expr.js';

/** Threads per workgroup: one thread per neuron; also the width of the dL/dparam reduction. */
export const WORKGROUP_SIZE = 64;
/**
 * Parameters a fused kernel takes as separate storage buffers. The backward pass binds output, X,
 * dY and the parameters, and WebGPU guarantees only 8 storage buffers per stage.
 */
export const MAX_FUSED_PARAMS = 4;

export interface NeuronShaders {
  /** Main-function bodies (WGSL) of the forward pass, without and with V in the output. */
  forward: { spikes: string; withV: string };
  /** Main-function bodies of the backward pass (BPTT over all T), for dY [T, M] or [2, T, M]. */
  backward: { spikes: string; withV: string };
  numParams: number;
}

/**
 * Generates the fused kernels' WGSL from a compiled neuron: its charge, the partial derivatives and
 * the surrogate gradient are printed from their expressions, so any plugin is fused. Throws
 * UnsupportedExprError when an expression has no WGSL form.
 */
export function generateNeuronShaders(n: CompiledNeuron): NeuronShaders {
  const P = n.paramNames.length;
  if (P > MAX_FUSED_PARAMS) throw new UnsupportedExprError(`${P} parameters (fused kernels take at most ${MAX_FUSED_PARAMS})`);
  const { prelude, code } = printWgsl([n.charge, n.surrogateGradient, n.dChargeDx, n.dChargeDv, ...n.dChargeDparams], P);
  const [charge, surrogate, dX, dV, ...dP] = code;
  const vTh = wgslNumber(n.vThreshold);
  const vRest = wgslNumber(n.vRest);
  const hard = n.vReset !== null;
  const vReset = wgslNumber(n.vReset ?? 0);
  // Same operation order as the reference op, so spikes agree bit for bit where H is not on the threshold.
  const fire = (h: string) => `select(0.0, 1.0, ${h} >= ${vTh})`;
  const reset = (h: string, s: string) => (hard ? `(${h} * (1.0 - ${s}) + ${s} * ${vReset})` : `(${h} - ${s} * ${vTh})`);
  let dVdH: string;
  if (hard) dVdH = n.detachReset ? '(1.0 - s)' : `((1.0 - s) + (${vReset} - h) * sg)`;
  else dVdH = n.detachReset ? '1.0' : `(1.0 - sg * ${vTh})`;
  const pre = prelude.map((l) => `  ${l}`).join('\n');

  const forward = (withV: boolean) => `
fn main(index : i32) {
  let M = uniforms.numNeurons;
  let T = uniforms.numSteps;
  if (index >= M) { return; }
${pre}
  var v : f32 = ${vRest};
  for (var t = 0; t < T; t = t + 1) {
    let xt = X[t * M + index];
    let h = ${charge};
    let s = ${fire('h')};
    v = ${reset('h', 's')};
    result[t * M + index] = s;${withV ? '\n    result[(T + t) * M + index] = v;' : ''}
  }
}`;

  // Output layout: dL/dX [T, M], then per workgroup and parameter the partial sums of dL/dparam.
  // H is not saved by the forward pass: the first loop recomputes it into the dL/dX slots, which the
  // backward loop then overwrites step by step (it reads H[t-1] before slot t-1 is overwritten).
  // One barrier, then the workgroup's first thread adds the partial sums: on CPU implementations
  // (llvmpipe) every barrier is a context switch, so a log-depth tree of barriers costs more.
  const reduction = P === 0 ? '' : `
  for (var p = 0; p < ${P}; p = p + 1) { partial[i32(localIndex) * ${P} + p] = acc[p]; }
  workgroupBarrier();
  let group = index / ${WORKGROUP_SIZE};
  if (localIndex == 0u && group < uniforms.numGroups) {
    for (var p = 0; p < ${P}; p = p + 1) {
      var total = 0.0;
      for (var k = 0; k < ${WORKGROUP_SIZE}; k = k + 1) { total = total + partial[k * ${P} + p]; }
      result[T * M + group * ${P} + p] = total;
    }
  }`;

  const backward = (withV: boolean) => `${P === 0 ? '' : `var<workgroup> partial : array<f32, ${WORKGROUP_SIZE * P}>;\n`}
fn main(index : i32) {
  let M = uniforms.numNeurons;
  let T = uniforms.numSteps;
  var acc : array<f32, ${Math.max(P, 1)}>;
  if (index < M) {
${pre}
    var v : f32 = ${vRest};
    for (var t = 0; t < T; t = t + 1) {
      let xt = X[t * M + index];
      let h = ${charge};
      result[t * M + index] = h;
      v = ${reset('h', fire('h'))};
    }
    var carry : f32 = 0.0;
    for (var t = T - 1; t >= 0; t = t - 1) {
      let h = result[t * M + index];
      let s = ${fire('h')};
      let u = h - ${vTh};
      let sg = ${surrogate};
      let gV = carry${withV ? ' + DY[(T + t) * M + index]' : ''};
      let gH = DY[t * M + index] * sg + gV * ${dVdH};
      var v : f32 = ${vRest};
      if (t > 0) {
        let hp = result[(t - 1) * M + index];
        v = ${reset('hp', fire('hp'))};
      }
      let xt = X[t * M + index];
      result[t * M + index] = gH * ${dX};
      carry = gH * ${dV};
${dP.map((d, i) => `      acc[${i}] = acc[${i}] + gH * ${d};`).join('\n')}
    }
  }${reduction}
}`;

  return {
    forward: { spikes: forward(false), withV: forward(true) },
    backward: { spikes: backward(false), withV: backward(true) },
    numParams: P,
  };
}
