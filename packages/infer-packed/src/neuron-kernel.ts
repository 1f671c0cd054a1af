// A neuron layer's forward step over all T, emitted as JavaScript from the neuron's step IR (so any
// registered neuron runs), in float32 arithmetic: every operation is rounded to float32 as
// spikeflow's WebAssembly SIMD neuron kernel rounds it (parameters and invariants as float32,
// constants as float32). Spikes are written as bits into the packed output.
import { evalNumber, expr, neuronStep } from '@spikeflow/core/backend';
import type { PackableNeuron } from './snapshot.js';

type Expr = expr.Expr;
type NeuronIR = PackableNeuron['ir'];

/**
 * Runs T steps of M neurons in place. x: the input currents, [steps, M] with steps 1 (the same
 * input at every step) or T; state: one Float32Array(M) per state variable, reset inside;
 * spikes: the packed output [T, positions, words], zeroed inside; channels: neurons per position.
 * Returns the number of spikes.
 */
export type PackedNeuronStep = (
  x: Float32Array, xSteps: number, T: number, positions: number, channels: number, words: number,
  state: Float32Array[], spikes: Uint32Array, invariants: Float64Array,
) => number;

/** Operators whose float32 result JavaScript reproduces bit for bit (Math.fround of the exact double result). */
const exactOps = new Set(['add', 'sub', 'mul', 'div', 'max', 'min', 'ge', 'neg', 'abs', 'sqrt', 'square', 'step', 'sign']);

/** Why the step is not bit-identical to the WebAssembly SIMD kernel (a math function there is a polynomial), or undefined. */
export function inexactReason(ir: NeuronIR): string | undefined {
  const found = new Set<string>();
  const visit = (e: Expr) => {
    const n = e.node;
    if ('a' in n) {
      if (!exactOps.has(n.op)) found.add(n.op);
      visit(n.a);
      if ('b' in n) visit(n.b);
    }
  };
  for (const s of ir.forward) visit(s.expr);
  return found.size ? `its step calls ${[...found].join(', ')}, which the WebAssembly SIMD kernel approximates by its own polynomial` : undefined;
}

const f32 = (s: string) => `$f(${s})`;
const num = (c: number) => {
  const v = Math.fround(c);
  return Object.is(v, -0) ? '(-0)' : v < 0 ? `(${v})` : String(v);
};

/** JavaScript of `e` in float32: each operation's result rounded. */
function toF32Js(e: Expr, invariantIndex: Map<string, number>): string {
  const ops: expr.OpEmitters<string> = {
    add: (a, b) => f32(`${a} + ${b}`),
    sub: (a, b) => f32(`${a} - ${b}`),
    mul: (a, b) => f32(`${a} * ${b}`),
    div: (a, b) => f32(`${a} / ${b}`),
    max: (a, b) => `Math.max(${a}, ${b})`,
    min: (a, b) => `Math.min(${a}, ${b})`,
    ge: (a, b) => `(${a} >= ${b} ? 1 : 0)`,
    neg: (a) => `(-${a})`,
    abs: (a) => `Math.abs(${a})`,
    sqrt: (a) => f32(`Math.sqrt(${a})`),
    square: (a) => f32(`${a} * ${a}`),
    step: (a) => `(${a} > 0 ? 1 : 0)`,
    sign: (a) => `Math.sign(${a})`,
    exp: (a) => f32(`Math.exp(${a})`),
    log: (a) => f32(`Math.log(${a})`),
    sigmoid: (a) => f32(`1 / (1 + Math.exp(-${a}))`),
    tanh: (a) => f32(`Math.tanh(${a})`),
  };
  return expr.walkExpr(e, {
    const: num,
    var: (name) => (invariantIndex.has(name) ? `$c${invariantIndex.get(name)}` : name),
    param: (index) => `$p${index}`,
    ops,
  });
}

/** The source of the step loop (exported for inspection). */
export function packedNeuronSource(ir: NeuronIR): string {
  const { forward: F } = neuronStep;
  const S = ir.numStates;
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  const invariantIndex = new Map(ir.invariants.map((c, j) => [c.name, j]));
  return `
    const $f = Math.fround;
    ${range(ir.numParams).map((k) => `const $p${k} = $f($inv[${ir.invariants.length + k}]);`).join(' ')}
    ${ir.invariants.map((_, j) => `const $c${j} = $f($inv[${j}]);`).join(' ')}
    ${range(S).map((i) => `const $z${i} = $state[${i}]; $z${i}.fill(${num(ir.init[i])});`).join(' ')}
    $spikes.fill(0);
    const $M = $positions * $channels;
    let $count = 0;
    for (let $t = 0; $t < $T; $t++) {
      const $xo = $xSteps === 1 ? 0 : $t * $M;
      for (let $p = 0, $m = 0; $p < $positions; $p++) {
        const $wo = ($t * $positions + $p) * $words;
        for (let $c = 0; $c < $channels; $c++, $m++) {
          const ${F.reads.input} = $x[$xo + $m];
          ${range(S).map((i) => `const ${F.reads.state(i)} = $z${i}[$m];`).join(' ')}
          ${ir.forward.map((s) => `const ${s.name} = ${toF32Js(s.expr, invariantIndex)};`).join('\n          ')}
          ${range(S).map((i) => `$z${i}[$m] = ${F.writes.state(i)};`).join(' ')}
          if (${F.writes.spike} !== 0) { $spikes[$wo + ($c >>> 5)] |= 1 << ($c & 31); $count++; }
        }
      }
    }
    return $count;`;
}

/**
 * The compiled step of a neuron layer, with the values its invariants and parameters take
 * (float64, as spikeflow's kernels compute invariants; rounded to float32 in the loop).
 */
export function packedNeuronStep(neuron: PackableNeuron, params: number[]): { step: PackedNeuronStep; invariants: Float64Array } {
  const ir = neuron.ir;
  const vars: Record<string, number> = {};
  const p = params.map((v) => Math.fround(v));
  const values = ir.invariants.map((c) => (vars[c.name] = evalNumber(c.expr, p, vars)));
  const src = packedNeuronSource(ir);
  let step: PackedNeuronStep;
  try {
    step = new Function('$x', '$xSteps', '$T', '$positions', '$channels', '$words', '$state', '$spikes', '$inv', src) as PackedNeuronStep;
  } catch (e) {
    throw new Error(`neuron "${neuron.kind}": cannot generate its packed step (${(e as Error).message})`, { cause: e });
  }
  return { step, invariants: Float64Array.from([...values, ...p]) };
}
