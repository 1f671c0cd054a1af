import * as tf from '@tensorflow/tfjs';
import { toJs, type Expr } from './expr.js';
import { makeNeuronOp, numCheckpoints, type NeuronOp } from './neuron-op.js';
import { neuronStep, type NeuronIR, type Stmt } from './neuron-ir.js';
import type { CompiledNeuron } from './plugins.js';

/**
 * The fused neuron op for backends whose tensors live in host memory (cpu, wasm): one forward pass
 * and one backward pass over all T, each a single loop over typed arrays, emitted as JavaScript
 * from the neuron's step IR (so a user's plugin is fused too). The state after every step is the
 * tape the backward pass recomputes each step from.
 */

type Forward = (x: Float32Array, p: Float64Array, T: number, M: number, s: Float32Array, states: Float32Array[], tape: Float32Array) => void;
type ForwardCheckpointed = (x: Float32Array, p: Float64Array, T: number, M: number, s: Float32Array, k: number, checkpoints: Float32Array) => void;
type BackwardCheckpointed = (
  checkpoints: Float32Array, x: Float32Array, p: Float64Array, gS: Float32Array, T: number, M: number, k: number, gX: Float32Array, gP: Float64Array,
) => void;
type Backward = (
  tape: Float32Array, x: Float32Array, p: Float64Array, gS: Float32Array, gOut: Float32Array[] | null, T: number, M: number,
  gX: Float32Array, gP: Float64Array,
) => void;

// Array and loop names start with '$': IR names never do.
const { forward: F, backward: B } = neuronStep;
const js = (e: Expr) => toJs(e, { param: (i) => `p${i}` });
const statements = (stmts: Stmt[]) => stmts.map((s) => `const ${s.name} = ${js(s.expr)};`).join('\n        ');
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Locals for the parameters and the invariants (computed once per call, not per element). */
function invariantLocals(ir: NeuronIR): string {
  return [...range(ir.numParams).map((k) => `const p${k} = $p[${k}];`), ...ir.invariants.map((c) => `const ${c.name} = ${js(c.expr)};`)].join(' ');
}

export interface HostKernelCode {
  forward: string;
  backward: string;
  /** Memory-lean BPTT: the forward keeps the state before every k-th step only ... */
  forwardCheckpointed: string;
  /** ... and the backward recomputes each segment of k steps from it, then runs BPTT through it. */
  backwardCheckpointed: string;
}

/** The JavaScript of the forward and backward loops (exported for inspection and tests). */
export function hostKernelSource(ir: NeuronIR): HostKernelCode {
  const S = ir.numStates;
  const locals = invariantLocals(ir);
  // Time-major loops (t outer, neurons inner) stream through every [T, M] array in order; each
  // state variable of each neuron lives in a length-M array between steps.
  const forward = `
    ${locals}
    ${range(S).map((i) => `const $z${i} = new Float32Array($M).fill(${ir.init[i]});`).join(' ')}
    const $TM = $T * $M;
    for (let $t = 0, $o = 0; $t < $T; $t++, $o += $M) {
      for (let $m = 0; $m < $M; $m++) {
        const $i = $o + $m;
        const ${F.reads.input} = $x[$i];
        ${range(S).map((i) => `const ${F.reads.state(i)} = $z${i}[$m];`).join(' ')}
        ${statements(ir.forward)}
        $s[$i] = ${F.writes.spike};
        ${range(S).map((i) => `$z${i}[$m] = ${F.writes.state(i)}; $tape[${i} * $TM + $i] = ${F.writes.state(i)};`).join(' ')}
        ${range(S).map((i) => `if ($states.length) $states[${i}][$i] = ${F.writes.state(i)};`).join(' ')}
      }
    }`;
  const reads = ir.backwardReads;
  const { reads: R, writes: W } = B;
  /** One neuron's backward step; `stateBefore(i)` reads state i before step $t. */
  const backwardStep = (stateBefore: (i: number) => string, gradOutput: (i: number) => string) => `
        ${reads.has(R.input) ? `const ${R.input} = $x[$i];` : ''}
        ${reads.has(R.gradSpike) ? `const ${R.gradSpike} = $gS[$i];` : ''}
        ${range(S).filter((i) => reads.has(R.state(i))).map((i) => `const ${R.state(i)} = ${stateBefore(i)};`).join(' ')}
        ${range(S).filter((i) => reads.has(R.gradNext(i))).map((i) => `const ${R.gradNext(i)} = $g${i}[$m];`).join(' ')}
        ${range(S).filter((i) => reads.has(R.gradOutput(i))).map((i) => `const ${R.gradOutput(i)} = ${gradOutput(i)};`).join(' ')}
        ${statements(ir.backward)}
        $gX[$i] = ${W.gradInput};
        ${range(S).map((i) => `$g${i}[$m] = ${W.gradState(i)};`).join(' ')}
        ${range(ir.numParams).map((k) => `$q${k} += ${W.gradParam(k)};`).join(' ')}`;
  // The carried gradient and the parameter sums are float64 across all T, whatever the segments.
  const backwardLocals = `
    ${locals}
    ${range(ir.numParams).map((k) => `let $q${k} = 0;`).join(' ')}
    ${range(S).map((i) => `const $g${i} = new Float64Array($M);`).join(' ')}
    const $TM = $T * $M;`;
  const backwardResults = range(ir.numParams).map((k) => `$gP[${k}] = $q${k};`).join(' ');
  const backward = `
    ${backwardLocals}
    for (let $t = $T - 1; $t >= 0; $t--) {
      const $o = $t * $M;
      for (let $m = 0; $m < $M; $m++) {
        const $i = $o + $m;
        ${backwardStep((i) => `$t > 0 ? $tape[${i} * $TM + $i - $M] : ${ir.init[i]}`, (i) => `$gOut !== null ? $gOut[${i}][$i] : 0`)}
      }
    }
    ${backwardResults}`;

  // Checkpoints [S, J, M] (J = ceil(T / k)): row j holds the state before step j * k.
  const forwardCheckpointed = `
    ${locals}
    ${range(S).map((i) => `const $z${i} = new Float32Array($M).fill(${ir.init[i]});`).join(' ')}
    const $JM = Math.ceil($T / $k) * $M;
    for (let $t = 0, $o = 0; $t < $T; $t++, $o += $M) {
      if ($t % $k === 0) {
        const $c = ($t / $k) * $M;
        ${range(S).map((i) => `$ck.set($z${i}, ${i} * $JM + $c);`).join(' ')}
      }
      for (let $m = 0; $m < $M; $m++) {
        const $i = $o + $m;
        const ${F.reads.input} = $x[$i];
        ${range(S).map((i) => `const ${F.reads.state(i)} = $z${i}[$m];`).join(' ')}
        ${statements(ir.forward)}
        $s[$i] = ${F.writes.spike};
        ${range(S).map((i) => `$z${i}[$m] = ${F.writes.state(i)};`).join(' ')}
      }
    }`;
  // Per segment, last first: the same forward step as above from the segment's checkpoint, keeping
  // the state after each step in a [S, k, M] scratch tape; then the same backward step as above
  // reads it (the checkpoint for the segment's first step, the initial state at step 0).
  const backwardCheckpointed = `
    ${backwardLocals}
    const $J = Math.ceil($T / $k);
    const $JM = $J * $M;
    const $KM = $k * $M;
    const $seg = new Float32Array(${S} * $KM);
    ${range(S).map((i) => `const $z${i} = new Float32Array($M);`).join(' ')}
    for (let $j = $J - 1; $j >= 0; $j--) {
      const $t0 = $j * $k;
      const $t1 = Math.min($T, $t0 + $k);
      ${range(S).map((i) => `$z${i}.set($ck.subarray(${i} * $JM + $j * $M, ${i} * $JM + ($j + 1) * $M));`).join(' ')}
      for (let $t = $t0, $o = $t0 * $M, $r = 0; $t < $t1; $t++, $o += $M, $r += $M) {
        for (let $m = 0; $m < $M; $m++) {
          const ${F.reads.input} = $x[$o + $m];
          ${range(S).map((i) => `const ${F.reads.state(i)} = $z${i}[$m];`).join(' ')}
          ${statements(ir.forward)}
          ${range(S).map((i) => `$z${i}[$m] = ${F.writes.state(i)}; $seg[${i} * $KM + $r + $m] = ${F.writes.state(i)};`).join(' ')}
        }
      }
      for (let $t = $t1 - 1; $t >= $t0; $t--) {
        const $o = $t * $M;
        const $r = ($t - $t0) * $M;
        for (let $m = 0; $m < $M; $m++) {
          const $i = $o + $m;
          ${backwardStep((i) => `$t > $t0 ? $seg[${i} * $KM + $r - $M + $m] : $t > 0 ? $ck[${i} * $JM + $j * $M + $m] : ${ir.init[i]}`, () => '0')}
        }
      }
    }
    ${backwardResults}`;
  return { forward, backward, forwardCheckpointed, backwardCheckpointed };
}

function compile(ir: NeuronIR) {
  const src = hostKernelSource(ir);
  return {
    forward: new Function('$x', '$p', '$T', '$M', '$s', '$states', '$tape', src.forward) as Forward,
    backward: new Function('$tape', '$x', '$p', '$gS', '$gOut', '$T', '$M', '$gX', '$gP', src.backward) as Backward,
    forwardCheckpointed: new Function('$x', '$p', '$T', '$M', '$s', '$k', '$ck', src.forwardCheckpointed) as ForwardCheckpointed,
    backwardCheckpointed: new Function('$ck', '$x', '$p', '$gS', '$T', '$M', '$k', '$gX', '$gP', src.backwardCheckpointed) as BackwardCheckpointed,
  };
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
  /** `read` gives the tensors' own memory (not copies), so a kernel may write a result over an input it owns. */
  inPlace?: boolean;
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

/**
 * Makes the host-memory fused op for a neuron. Throws, naming the neuron, where JavaScript cannot
 * be generated (a Content-Security-Policy that forbids new Function): run the reference op then.
 */
export function hostNeuronKernel(n: CompiledNeuron, memory: HostMemory = copyingMemory): NeuronOp {
  let code: ReturnType<typeof compile>;
  try {
    code = compile(n.ir);
  } catch (e) {
    throw new Error(`neuron "${n.kind}": cannot generate the host kernel (${(e as Error).message}); pass implementation 'reference' to run the tfjs reference op instead`, { cause: e });
  }
  const S = n.ir.numStates;
  return makeNeuronOp(n, {
    forward(x, params, withV) {
      const [T, M] = x.shape;
      const TM = T * M;
      const out = memory.alloc([withV ? [1 + S, T, M] : [T, M], [S, T, M]]);
      const p = scalars(params);
      const [value, tape] = out.views();
      const [xd] = memory.read([x]);
      const states = withV ? range(S).map((i) => value.subarray((1 + i) * TM, (2 + i) * TM)) : [];
      code.forward(xd, p, T, M, value.subarray(0, TM), states, tape);
      const [valueT, tapeT] = out.tensors;
      return { value: valueT, tape: tapeT };
    },
    backward(dy, tape, x, params, withV) {
      const [T, M] = x.shape;
      const TM = T * M;
      const p = scalars(params);
      const out = memory.alloc([[T, M]]);
      const [gX] = out.views();
      const [tapeD, dyd, xd] = memory.read([tape, dy, x]);
      const gP = new Float64Array(params.length);
      const gOut = withV ? range(S).map((i) => dyd.subarray((1 + i) * TM, (2 + i) * TM)) : null;
      code.backward(tapeD, xd, p, dyd.subarray(0, TM), gOut, T, M, gX, gP);
      return [out.tensors[0], ...Array.from(gP, (g) => tf.scalar(g))];
    },
    checkpointed: {
      forward(x, params, k) {
        const [T, M] = x.shape;
        const out = memory.alloc([[T, M], [S, numCheckpoints(T, k), M]]);
        const p = scalars(params);
        const [value, checkpoints] = out.views();
        const [xd] = memory.read([x]);
        code.forwardCheckpointed(xd, p, T, M, value, k, checkpoints);
        const [valueT, checkpointsT] = out.tensors;
        return { value: valueT, checkpoints: checkpointsT };
      },
      backward(dy, checkpoints, x, params, k) {
        const [T, M] = x.shape;
        const p = scalars(params);
        const out = memory.alloc([[T, M]]);
        const [gX] = out.views();
        const [ckD, dyd, xd] = memory.read([checkpoints, dy, x]);
        const gP = new Float64Array(params.length);
        code.backwardCheckpointed(ckD, xd, p, dyd, T, M, k, gX, gP);
        return [out.tensors[0], ...Array.from(gP, (g) => tf.scalar(g))];
      },
      // Each step reads x[t] (recomputing its segment, then in its backward step) before it writes
      // dL/dx[t], so dL/dx can go over x where read() gives x's own memory.
      ...(memory.inPlace
        ? {
          backwardOverX(dy: tf.Tensor, checkpoints: tf.Tensor, x: tf.Tensor2D, params: tf.Tensor[], k: number) {
            const [T, M] = x.shape;
            const p = scalars(params);
            const [ckD, dyd, xd] = memory.read([checkpoints, dy, x]);
            const gP = new Float64Array(params.length);
            code.backwardCheckpointed(ckD, xd, p, dyd, T, M, k, xd, gP);
            return [x, ...Array.from(gP, (g) => tf.scalar(g))];
          },
        }
        : {}),
    },
  });
}
