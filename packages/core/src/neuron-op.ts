import * as tf from '@tensorflow/tfjs';
import { evalTf } from './expr-tf.js';
import { releaseSaved, releaseUpstreamGradient } from './gradient-release.js';
import { neuronStep, type Stmt } from './neuron-ir.js';
import type { CompiledNeuron } from './plugins.js';

/**
 * The multi-step neuron op: runs a neuron layer over all T steps at once.
 *
 *   x: [T, M] input currents (M = N * features), params: the layer's trainable scalars.
 *   returns spikes [T, M], or with `withV` spikes, V and the neuron's further state variables
 *   stacked: [1 + S, T, M] (S = number of state variables, V first).
 *
 * Its gradient is BPTT over all T through every state variable in one backward pass. Backends
 * provide a fused implementation (registerNeuronKernel); the reference below runs with tfjs ops.
 */
export type NeuronOp = (x: tf.Tensor2D, params: tf.Tensor[], withV: boolean, options?: NeuronOpOptions) => tf.Tensor;

/** How a neuron op keeps what its backward pass needs. */
export interface NeuronOpOptions {
  /**
   * Memory-lean BPTT: keep the neuron state only before every k-th step (steps 0, k, 2k...) instead
   * of after every step, and recompute the steps between in the backward pass, one segment of k
   * steps at a time. The gradients are bit-identical; the state kept for backward shrinks from
   * S * T * M to S * ceil(T / k) * M values (plus S * k * M while a segment is recomputed).
   * Undefined or 0: keep every step (the default). Ignored when the op returns the state (withV),
   * which then holds every step anyway.
   */
  checkpointEvery?: number;
  /**
   * The input is the same at every step: x is [1, M], one step's input, and the op runs it for this
   * many steps (a direct encoder's first neuron layer). An op made by makeNeuronOp then keeps the
   * [1, M] input for its backward pass instead of [T, M], and repeats it again there; its gradient
   * with respect to x is Tile's gradient of the [T, M] one, the same bits as repeating x before the
   * op. Other ops get x repeated by runNeuron. With `withV`, x is repeated before the op.
   */
  repeatInput?: number;
}

/** Marks ops that take `repeatInput` themselves (makeNeuronOp's). */
const REPEATS_INPUT = Symbol('spikeflow.neuronOp.repeatsInput');

/** Throws unless `k` is a valid checkpointEvery (undefined, 0, or a positive integer). */
export function checkCheckpointEvery(k: unknown, where = 'checkpointEvery'): void {
  if (k === undefined || k === 0) return;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) {
    throw new Error(`${where}: expected a positive integer (keep the neuron state every k steps) or 0 / undefined (keep every step), got ${JSON.stringify(k)}`);
  }
}

/**
 * Makes a backend's implementation for a neuron. It throws (naming the neuron) when it cannot: the
 * network does not fall back to the reference op on its own.
 */
export type NeuronKernelFactory = (neuron: CompiledNeuron) => NeuronOp;

// Core registers no kernel itself: each backend package registers its own (the cpu and wasm packages
// the host kernel, emitted here from the step IR), as tfjs backends register theirs.
const kernelFactories = new Map<string, NeuronKernelFactory>();
const kernelCache = new Map<string, NeuronOp>();

/**
 * Registers a backend's fused neuron kernels, by tfjs backend name, the way tfjs kernels are
 * registered per backend (a backend package does it through registerKernels and a NeuronKernelConfig).
 */
export function registerNeuronKernel(backendName: string, factory: NeuronKernelFactory): void {
  kernelFactories.set(backendName, factory);
  for (const key of [...kernelCache.keys()]) if (key.startsWith(`${backendName}|`)) kernelCache.delete(key);
}
/** The fused-kernel factory registered for a backend, if any. */
export function neuronKernelFactory(backendName: string): NeuronKernelFactory | undefined {
  return kernelFactories.get(backendName);
}
/** Removes a backend's fused kernels: its neuron layers then run the reference op. */
export function unregisterNeuronKernel(backendName: string): void {
  kernelFactories.delete(backendName);
  for (const key of [...kernelCache.keys()]) if (key.startsWith(`${backendName}|`)) kernelCache.delete(key);
}

/** Which implementation runs neurons on a backend: 'fused' where it registered kernels, else 'reference'. */
export function neuronImplementation(_neuron?: CompiledNeuron, backendName = tf.getBackend()): 'fused' | 'reference' {
  return kernelFactories.has(backendName) ? 'fused' : 'reference';
}

const warnedBackends = new Set<string>();

/**
 * Runs the neuron op on the current backend: its fused kernel, or the reference op where asked
 * (`impl = 'reference'`) or where the backend has no fused kernels at all (said once on the console).
 */
export function runNeuron(neuron: CompiledNeuron, x: tf.Tensor2D, params: tf.Tensor[], withV = false, impl?: 'reference', options?: NeuronOpOptions): tf.Tensor {
  checkCheckpointEvery(options?.checkpointEvery, `neuron op "${neuron.kind}": checkpointEvery`);
  if (x.rank !== 2) throw new Error(`neuron op: expected input [T, M], got [${x.shape.join(', ')}]`);
  if (params.length !== neuron.paramNames.length) {
    throw new Error(`neuron op "${neuron.kind}": expected ${neuron.paramNames.length} parameters (${neuron.paramNames.join(', ')}), got ${params.length}`);
  }
  const backend = tf.getBackend();
  let op: NeuronOp | undefined;
  if (impl !== 'reference') {
    const key = `${backend}|${neuron.key}`;
    op = kernelCache.get(key);
    if (!op && kernelFactories.has(backend)) {
      op = kernelFactories.get(backend)!(neuron);
      kernelCache.set(key, op);
    }
    if (!op && !warnedBackends.has(backend)) {
      warnedBackends.add(backend);
      console.warn(`spikeflow: backend "${backend}" has no fused neuron kernels; neuron layers run the reference op (tfjs ops)`);
    }
  }
  const f = op ?? referenceOp(neuron);
  const T = options?.repeatInput;
  if (T !== undefined) {
    if (!Number.isInteger(T) || T < 1 || x.shape[0] !== 1) throw new Error(`neuron op "${neuron.kind}": repeatInput needs x [1, M] and a positive integer, got x [${x.shape.join(', ')}] and ${T}`);
    if (withV || !(f as NeuronOp & { [REPEATS_INPUT]?: boolean })[REPEATS_INPUT]) {
      const repeated = tf.tile(x, [T, 1]) as tf.Tensor2D;
      const out = f(repeated, params, withV, { ...options, repeatInput: undefined });
      repeated.dispose();
      return out;
    }
  }
  return f(x, params, withV, options);
}

const referenceCache = new WeakMap<CompiledNeuron, NeuronOp>();

/** The reference implementation: tfjs ops, one forward loop and one backward loop over T. */
export function referenceOp(neuron: CompiledNeuron): NeuronOp {
  let op = referenceCache.get(neuron);
  if (!op) {
    op = makeReferenceOp(neuron);
    referenceCache.set(neuron, op);
  }
  return op;
}

function makeReferenceOp(n: CompiledNeuron): NeuronOp {
  const ir = n.ir;
  const S = ir.numStates;
  const { forward: F, backward: B } = neuronStep;
  // Evaluates statements into `vars`; the invariants once per call.
  const run = (stmts: Stmt[], vars: Record<string, tf.Tensor>, params: tf.Tensor[]) => {
    for (const s of stmts) vars[s.name] = evalTf(s.expr, { vars, params });
  };
  const invariants = (params: tf.Tensor[]) => {
    const vars: Record<string, tf.Tensor> = {};
    run(ir.invariants, vars, params);
    return vars;
  };

  const forward = (x: tf.Tensor2D, params: tf.Tensor[], withV: boolean) => {
    const [T, M] = x.shape;
    const inv = invariants(params);
    const xs = tf.unstack(x);
    let z = ir.init.map((v) => tf.fill([M], v));
    const spikes: tf.Tensor[] = [];
    const states: tf.Tensor[][] = ir.init.map(() => []);
    for (let t = 0; t < T; t++) {
      const vars: Record<string, tf.Tensor> = { ...inv, [F.reads.input]: xs[t] };
      z.forEach((zi, i) => (vars[F.reads.state(i)] = zi));
      run(ir.forward, vars, params);
      spikes.push(vars[F.writes.spike]);
      z = z.map((_, i) => vars[F.writes.state(i)]);
      z.forEach((zi, i) => states[i].push(zi));
    }
    const tape = tf.stack(states.map((s) => tf.stack(s)));
    const value = withV ? tf.concat([tf.expandDims(tf.stack(spikes), 0), tape]) : tf.stack(spikes);
    return { value, tape };
  };

  const backward = (dy: tf.Tensor, tape: tf.Tensor, x: tf.Tensor2D, params: tf.Tensor[], withV: boolean) => {
    const [T, M] = x.shape;
    const inv = invariants(params);
    const parts = withV ? tf.unstack(dy) : [dy];
    const gS = tf.unstack(parts[0]);
    const zero = tf.zeros([M]);
    const gOut = Array.from({ length: S }, (_, i) => (withV ? tf.unstack(parts[1 + i]) : undefined));
    const tapes = tf.unstack(tape).map((s) => tf.unstack(s));
    const xs = tf.unstack(x);
    const gX: tf.Tensor[] = new Array(T);
    let carry: tf.Tensor[] = ir.init.map(() => zero);
    let gParams: tf.Tensor[] = params.map(() => tf.scalar(0));
    for (let t = T - 1; t >= 0; t--) {
      const vars: Record<string, tf.Tensor> = { ...inv, [B.reads.input]: xs[t], [B.reads.gradSpike]: gS[t] };
      for (let i = 0; i < S; i++) {
        vars[B.reads.state(i)] = t > 0 ? tapes[i][t - 1] : tf.fill([M], ir.init[i]);
        vars[B.reads.gradNext(i)] = carry[i];
        vars[B.reads.gradOutput(i)] = gOut[i]?.[t] ?? zero;
      }
      run(ir.backward, vars, params);
      gX[t] = vars[B.writes.gradInput];
      carry = carry.map((_, i) => vars[B.writes.gradState(i)]);
      gParams = gParams.map((g, k) => tf.add(g, tf.sum(vars[B.writes.gradParam(k)])));
    }
    return [tf.stack(gX), ...gParams];
  };

  return makeNeuronOp(n, {
    forward: (x, params, withV) => {
      const r = tf.tidy(() => {
        const o = forward(x, params, withV);
        return [o.value, o.tape];
      });
      return { value: r[0], tape: r[1] };
    },
    backward: (dy, tape, x, params, withV) => tf.tidy(() => backward(dy, tape, x, params, withV)),
  });
}

export interface NeuronOpImpl {
  /** Runs all T steps: the op's value (spikes, or spikes and the state stacked) and the state tape [S, T, M] for backward. */
  forward(x: tf.Tensor2D, params: tf.Tensor[], withV: boolean): { value: tf.Tensor; tape: tf.Tensor };
  /** BPTT over all T: [dL/dx, ...dL/dparams]. */
  backward(dy: tf.Tensor, tape: tf.Tensor, x: tf.Tensor2D, params: tf.Tensor[], withV: boolean): tf.Tensor[];
  /**
   * Memory-lean BPTT (spikes only, never withV), where the implementation has it: a forward pass that
   * keeps the state before every k-th step, `checkpoints` [S, ceil(T / k), M] (row j: the state
   * before step j * k), and a backward pass that recomputes each segment of k steps from its
   * checkpoint. Its gradients must be bit-identical to `backward`'s.
   */
  checkpointed?: {
    forward(x: tf.Tensor2D, params: tf.Tensor[], k: number): { value: tf.Tensor; checkpoints: tf.Tensor };
    backward(dy: tf.Tensor, checkpoints: tf.Tensor, x: tf.Tensor2D, params: tf.Tensor[], k: number): tf.Tensor[];
    /**
     * Optional: `backward`, writing dL/dx over x's own memory and returning x itself as dL/dx (each
     * step reads x before it writes dL/dx there). Only for an x that nothing else holds: the op
     * uses it on the input it repeated itself (repeatInput), to hold one [T, M] tensor less.
     */
    backwardOverX?(dy: tf.Tensor, checkpoints: tf.Tensor, x: tf.Tensor2D, params: tf.Tensor[], k: number): tf.Tensor[];
  };
}

/** Segments of memory-lean BPTT: ceil(T / k). */
export const numCheckpoints = (T: number, k: number): number => Math.ceil(T / k);

/**
 * Wraps a forward and a backward pass over all T into a NeuronOp whose gradient is the backward
 * pass. Keeps the state after every step (the tape) and X between the two; with checkpointEvery,
 * only the checkpoints (see NeuronOpImpl.checkpointed), or where the implementation has no
 * checkpointed passes, nothing: its backward then reruns the forward pass for the whole tape.
 */
export function makeNeuronOp(n: CompiledNeuron, impl: NeuronOpImpl): NeuronOp {
  // One tf.customGrad per output form and checkpoint interval; the number of parameters is fixed per neuron.
  const cache = new Map<string, (...args: tf.Tensor[]) => tf.Tensor>();
  const full = (withV: boolean) =>
    tf.customGrad((...args: any[]) => {
      const save = args.pop() as tf.GradSaveFunc;
      const [xIn, ...ps] = args as tf.Tensor[];
      const { value, tape } = impl.forward(xIn as tf.Tensor2D, ps, withV);
      save([tape, xIn, ...ps]);
      return {
        value,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [tapeSaved, xSaved, ...psSaved] = saved;
          const grads = impl.backward(dy, tapeSaved, xSaved as tf.Tensor2D, psSaved, withV);
          releaseUpstreamGradient(dy, value);
          releaseSaved(saved);
          return grads;
        },
      };
    });
  const lean = (k: number) =>
    tf.customGrad((...args: any[]) => {
      const save = args.pop() as tf.GradSaveFunc;
      const [xIn, ...ps] = args as tf.Tensor[];
      const x = xIn as tf.Tensor2D;
      const c = impl.checkpointed;
      if (c) {
        // k > T means one segment, the same as k = T (and no segment buffer longer than T).
        const kk = Math.max(1, Math.min(k, x.shape[0]));
        const { value, checkpoints } = c.forward(x, ps, kk);
        save([checkpoints, xIn, ...ps]);
        return {
          value,
          gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
            const [ck, xs, ...pss] = saved;
            const grads = c.backward(dy, ck, xs as tf.Tensor2D, pss, kk);
            releaseUpstreamGradient(dy, value);
            releaseSaved(saved);
            return grads;
          },
        };
      }
      // No checkpointed passes: keep no state at all, and rerun the same forward pass in backward.
      const { value, tape } = impl.forward(x, ps, false);
      tape.dispose();
      save([xIn, ...ps]);
      return {
        value,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, ...pss] = saved;
          const again = impl.forward(xs as tf.Tensor2D, pss, false);
          again.value.dispose();
          const grads = impl.backward(dy, again.tape, xs as tf.Tensor2D, pss, false);
          again.tape.dispose();
          releaseUpstreamGradient(dy, value);
          releaseSaved(saved);
          return grads;
        },
      };
    });
  // The input the same at every step (options.repeatInput): keeps x [1, M] and repeats it in both passes.
  const repeated = (k: number, T: number) =>
    tf.customGrad((...args: any[]) => {
      const save = args.pop() as tf.GradSaveFunc;
      const [xIn, ...ps] = args as tf.Tensor[];
      const c = k > 0 ? impl.checkpointed : undefined;
      const kk = Math.max(1, Math.min(k, T));
      const xT = tf.tile(xIn, [T, 1]) as tf.Tensor2D;
      let value: tf.Tensor;
      let kept: tf.Tensor | undefined;
      if (c) ({ value, checkpoints: kept } = c.forward(xT, ps, kk));
      else {
        const r = impl.forward(xT, ps, false);
        value = r.value;
        // k > 0 without checkpointed passes keeps no state (the backward pass reruns the forward one).
        if (k > 0) r.tape.dispose();
        else kept = r.tape;
      }
      xT.dispose();
      save(kept ? [kept, xIn, ...ps] : [xIn, ...ps]);
      return {
        value,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const keptSaved = kept ? saved[0] : undefined;
          const [xs, ...pss] = kept ? saved.slice(1) : saved;
          const xAgain = tf.tile(xs, [T, 1]) as tf.Tensor2D;
          let grads: tf.Tensor[];
          // The repeated input is this function's own: dL/dx may overwrite it.
          if (c?.backwardOverX) grads = c.backwardOverX(dy, keptSaved!, xAgain, pss, kk);
          else if (c) grads = c.backward(dy, keptSaved!, xAgain, pss, kk);
          else if (keptSaved) grads = impl.backward(dy, keptSaved, xAgain, pss, false);
          else {
            const again = impl.forward(xAgain, pss, false);
            again.value.dispose();
            grads = impl.backward(dy, again.tape, xAgain, pss, false);
            again.tape.dispose();
          }
          if (grads[0] !== xAgain) xAgain.dispose();
          releaseUpstreamGradient(dy, value);
          if (keptSaved) releaseSaved([keptSaved]);
          // The gradient of the repeat: Tile's own, as where x is repeated before the op.
          const [dxT, ...gParams] = grads;
          const dx = tf.tidy(() => tileGradient(dxT, xs, [T, 1]));
          dxT.dispose();
          releaseSaved(saved);
          return [dx, ...gParams];
        },
      };
    });
  const op: NeuronOp = (x, params, withV, options) => {
    if (params.length !== n.paramNames.length) throw new Error(`neuron op "${n.kind}": expected ${n.paramNames.length} parameters, got ${params.length}`);
    const k = withV ? 0 : options?.checkpointEvery ?? 0;
    const T = withV ? undefined : options?.repeatInput;
    const key = `${withV}|${k}|${T ?? ''}`;
    let f = cache.get(key);
    if (!f) {
      f = (T !== undefined ? repeated(k, T) : k > 0 ? lean(k) : full(withV)) as unknown as (...args: tf.Tensor[]) => tf.Tensor;
      cache.set(key, f);
    }
    return f(x, ...params);
  };
  (op as NeuronOp & { [REPEATS_INPUT]?: boolean })[REPEATS_INPUT] = true;
  return op;
}

/** dL/dx of tf.tile(x, reps) from dL/dy, by the Tile gradient registered now (a backend may replace tfjs's). */
function tileGradient(dy: tf.Tensor, x: tf.Tensor, reps: number[]): tf.Tensor {
  const g = tf.getGradient(tf.Tile);
  if (!g) throw new Error('tfjs has no gradient for Tile');
  return (g.gradFunc(dy, [x], { reps } as unknown as tf.NamedAttrMap) as { x: () => tf.Tensor }).x();
}
