import { constant, type Expr } from '@spikeflow/core';
import { neuronStep, toWgsl, type CompiledNeuron, type NeuronIR, type NeuronStmt } from '@spikeflow/core/backend';
import { PREFERRED_NEURON_WORKGROUP } from './workgroup.js';


export interface NeuronShaders {
  /** Main-function bodies (WGSL) of the forward pass, without and with the state in the output. */
  forward: { spikes: string; withV: string };
  /** Main-function bodies of the backward pass (BPTT over all T), for dY [T, M] or [1 + S, T, M]. */
  backward: { spikes: string; withV: string };
  numParams: number;
  numStates: number;
  /** Threads per workgroup the kernels were generated for. */
  workgroupSize: number;
}

const wgsl = (e: Expr) => toWgsl(e, { param: (i) => `p${i}` });
const { forward: F, backward: B } = neuronStep;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const lets = (stmts: NeuronStmt[], indent: string) => stmts.map((s) => `${indent}let ${s.name} = ${wgsl(s.expr)};`).join('\n');
/** A float literal in WGSL (through the same printer, so the same rounding). */
const literal = (value: number) => wgsl(constant(value));

/**
 * The WGSL of the fused kernels, emitted from the neuron's step IR: only the loops, the buffer
 * layout and the reduction are WebGPU's; every statement of the step comes from the IR. Parameters
 * are packed in one buffer P, so any number of them fits the binding limit. One thread per neuron;
 * `workgroupSize` is also the width of the dL/dparam reduction.
 */
export function generateNeuronShaders(n: CompiledNeuron, workgroupSize: number = PREFERRED_NEURON_WORKGROUP): NeuronShaders {
  const WG = workgroupSize;
  const ir: NeuronIR = n.ir;
  const P = ir.numParams;
  const S = ir.numStates;
  const pre = [...range(P).map((k) => `  let p${k} = P[${k}];`), ...ir.invariants.map((c) => `  let ${c.name} = ${wgsl(c.expr)};`)].join('\n');
  const init = ir.init.map(literal);

  const forward = (withV: boolean) => `
fn main(index : i32) {
  let M = uniforms.numNeurons;
  let T = uniforms.numSteps;
  if (index >= M) { return; }
${pre}
${range(S).map((i) => `  var ${F.reads.state(i)} : f32 = ${init[i]};`).join('\n')}
  for (var t = 0; t < T; t = t + 1) {
    let ${F.reads.input} = X[t * M + index];
${lets(ir.forward, '    ')}
    result[t * M + index] = ${F.writes.spike};
${range(S).map((i) => `    ${F.reads.state(i)} = ${F.writes.state(i)};${withV ? ` result[(${1 + i} * T + t) * M + index] = ${F.writes.state(i)};` : ''}`).join('\n')}
  }
}`;

  // Output layout: state i after each step [T, M] at i * T * M (state 0's slots end up holding
  // dL/dX), then per workgroup and parameter the partial sums of dL/dparam. The first loop
  // recomputes the state tape; the backward loop reads step t-1's state before overwriting slot t.
  // One barrier, then the workgroup's first thread adds the partial sums: on CPU implementations
  // (llvmpipe) every barrier is a context switch, so a log-depth tree of barriers costs more.
  const reduction = P === 0 ? '' : `
  for (var k = 0; k < ${P}; k = k + 1) { partial[i32(localIndex) * ${P} + k] = acc[k]; }
  workgroupBarrier();
  let group = index / ${WG};
  if (localIndex == 0u && group < uniforms.numGroups) {
    for (var k = 0; k < ${P}; k = k + 1) {
      var total = 0.0;
      for (var j = 0; j < ${WG}; j = j + 1) { total = total + partial[j * ${P} + k]; }
      result[${S} * T * M + group * ${P} + k] = total;
    }
  }`;
  const reads = ir.backwardReads;
  const { reads: R, writes: W } = B;
  const backward = (withV: boolean) => `${P === 0 ? '' : `var<workgroup> partial : array<f32, ${WG * P}>;\n`}
fn main(index : i32) {
  let M = uniforms.numNeurons;
  let T = uniforms.numSteps;
  var acc : array<f32, ${Math.max(P, 1)}>;
  if (index < M) {
${pre.replace(/^/gm, '  ')}
${range(S).map((i) => `    var ${F.reads.state(i)} : f32 = ${init[i]};`).join('\n')}
    for (var t = 0; t < T; t = t + 1) {
      let ${F.reads.input} = X[t * M + index];
${lets(ir.forward, '      ')}
${range(S).map((i) => `      ${F.reads.state(i)} = ${F.writes.state(i)}; result[(${i} * T + t) * M + index] = ${F.writes.state(i)};`).join('\n')}
    }
${range(S).map((i) => `    var ${R.gradNext(i)} : f32 = 0.0;`).join('\n')}
    for (var t = T - 1; t >= 0; t = t - 1) {
${range(S).filter((i) => reads.has(R.state(i))).map((i) => `      var ${R.state(i)} : f32 = ${init[i]};\n      if (t > 0) { ${R.state(i)} = result[(${i} * T + t - 1) * M + index]; }`).join('\n')}
${reads.has(R.input) ? `      let ${R.input} = X[t * M + index];` : ''}
${reads.has(R.gradSpike) ? `      let ${R.gradSpike} = DY[t * M + index];` : ''}
${range(S).filter((i) => reads.has(R.gradOutput(i))).map((i) => `      let ${R.gradOutput(i)} = ${withV ? `DY[(${1 + i} * T + t) * M + index]` : '0.0'};`).join('\n')}
${lets(ir.backward, '      ')}
      result[t * M + index] = ${W.gradInput};
${range(S).map((i) => `      ${R.gradNext(i)} = ${W.gradState(i)};`).join('\n')}
${range(P).map((k) => `      acc[${k}] = acc[${k}] + ${W.gradParam(k)};`).join('\n')}
    }
  }${reduction}
}`;

  return {
    forward: { spikes: forward(false), withV: forward(true) },
    backward: { spikes: backward(false), withV: backward(true) },
    numParams: P,
    numStates: S,
    workgroupSize: WG,
  };
}
