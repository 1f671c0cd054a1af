import * as tf from '@tensorflow/tfjs';
import { evalTf, type TfEnv } from './expr-tf.js';
import type { CompiledNeuron } from './plugins.js';
import { hostNeuronKernel } from './host-kernel.js';

/**
 * The multi-step neuron op: runs a neuron layer over all T steps at once.
 *
 *   x: [T, M] input currents (M = N * features), params: the layer's trainable scalars.
 *   returns spikes [T, M], or with `withV` spikes and membrane potentials stacked: [2, T, M].
 *
 * Its gradient is BPTT over all T in one backward pass. Backends may provide a fused
 * implementation (registerNeuronKernel); otherwise the reference below runs with tfjs ops.
 */
export type NeuronOp = (x: tf.Tensor2D, params: tf.Tensor[], withV: boolean) => tf.Tensor;

/** Makes a backend's implementation for a neuron, or undefined to fall back to the reference. */
export type NeuronKernelFactory = (neuron: CompiledNeuron) => NeuronOp | undefined;

const kernelFactories = new Map<string, NeuronKernelFactory>();
let defaultsRegistered = false;
/** Host-memory backends get the generated JavaScript kernel unless a backend package registered its own. */
function registerDefaults(): void {
  if (defaultsRegistered) return;
  defaultsRegistered = true;
  for (const name of ['cpu', 'wasm']) if (!kernelFactories.has(name)) kernelFactories.set(name, hostNeuronKernel);
}
const kernelCache = new Map<string, NeuronOp>();

/**
 * Registers a backend's fused neuron kernels, by tfjs backend name ('webgpu', 'wasm', ...), the way
 * tfjs kernels are registered per backend. Core never imports a backend: the backend calls this.
 */
export function registerNeuronKernel(backendName: string, factory: NeuronKernelFactory): void {
  registerDefaults();
  kernelFactories.set(backendName, factory);
  for (const key of [...kernelCache.keys()]) if (key.startsWith(`${backendName}|`)) kernelCache.delete(key);
}
export function unregisterNeuronKernel(backendName: string): void {
  registerNeuronKernel(backendName, () => undefined);
  kernelFactories.delete(backendName);
}

/** Which implementation runs this neuron on the current backend: 'fused' or 'reference'. */
export function neuronImplementation(neuron: CompiledNeuron, backendName = tf.getBackend()): 'fused' | 'reference' {
  registerDefaults();
  return kernelFactories.get(backendName)?.(neuron) ? 'fused' : 'reference';
}

/** Runs the neuron op on the current backend (fused when the backend has it, else the reference). */
export function runNeuron(neuron: CompiledNeuron, x: tf.Tensor2D, params: tf.Tensor[], withV = false, impl?: 'reference'): tf.Tensor {
  if (x.rank !== 2) throw new Error(`neuron op: expected input [T, M], got [${x.shape.join(', ')}]`);
  if (params.length !== neuron.paramNames.length) {
    throw new Error(`neuron op "${neuron.kind}": expected ${neuron.paramNames.length} parameters (${neuron.paramNames.join(', ')}), got ${params.length}`);
  }
  registerDefaults();
  const backend = tf.getBackend();
  let op: NeuronOp | undefined;
  if (impl !== 'reference') {
    const key = `${backend}|${neuron.key}`;
    op = kernelCache.get(key);
    if (!op && kernelFactories.has(backend)) {
      op = kernelFactories.get(backend)!(neuron);
      if (op) kernelCache.set(key, op);
    }
  }
  return (op ?? referenceOp(neuron))(x, params, withV);
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
  const hard = n.vReset !== null;
  const vReset = n.vReset ?? 0;

  // V[t] from H[t] and S[t]: hard reset jumps to vReset, soft reset subtracts the threshold.
  const reset = (h: tf.Tensor, s: tf.Tensor): tf.Tensor =>
    hard ? tf.add(tf.mul(h, tf.sub(1, s)), tf.mul(s, vReset)) : tf.sub(h, tf.mul(s, n.vThreshold));
  const fire = (h: tf.Tensor): tf.Tensor => tf.cast(tf.greaterEqual(h, n.vThreshold), 'float32');

  const forward = (x: tf.Tensor2D, params: tf.Tensor[], withV: boolean) => {
    const env: TfEnv = { vars: {}, params, invariant: new Map() };
    const T = x.shape[0];
    const xs = tf.unstack(x);
    const hs: tf.Tensor[] = [];
    const ss: tf.Tensor[] = [];
    const vs: tf.Tensor[] = [];
    let v: tf.Tensor = tf.fill([x.shape[1]], n.vRest);
    for (let t = 0; t < T; t++) {
      env.vars = { v, x: xs[t] };
      const h = evalTf(n.charge, env);
      const s = fire(h);
      v = reset(h, s);
      hs.push(h);
      ss.push(s);
      vs.push(v);
    }
    env.invariant.forEach((t) => t.dispose());
    const spikes = tf.stack(ss);
    return { value: withV ? tf.stack([spikes, tf.stack(vs)]) : spikes, h: tf.stack(hs) };
  };

  const backward = (dy: tf.Tensor, h: tf.Tensor, x: tf.Tensor | undefined, params: tf.Tensor[], withV: boolean) => {
    const env: TfEnv = { vars: {}, params, invariant: new Map() };
    const [T, M] = h.shape;
    const gS = withV ? tf.unstack(tf.gather(dy, 0)) : tf.unstack(dy);
    const gV = withV ? tf.unstack(tf.gather(dy, 1)) : undefined;
    const hs = tf.unstack(h);
    const xs = x ? tf.unstack(x) : [];
    const gX: tf.Tensor[] = new Array(T);
    let carry: tf.Tensor = tf.zeros([M]); // dL/dV[t] flowing back from step t+1
    let gParams: tf.Tensor[] = params.map(() => tf.scalar(0));
    for (let t = T - 1; t >= 0; t--) {
      const next = tf.tidy(() => {
        const ht = hs[t];
        const st = fire(ht);
        env.vars = { u: tf.sub(ht, n.vThreshold) };
        const sg = evalTf(n.surrogateGradient, env);
        // dV[t]/dH[t]: through H directly, and through the spike unless the reset is detached.
        let dVdH: tf.Tensor;
        if (hard) {
          dVdH = tf.sub(1, st);
          if (!n.detachReset) dVdH = tf.add(dVdH, tf.mul(tf.sub(vReset, ht), sg));
        } else {
          dVdH = n.detachReset ? tf.onesLike(ht) : tf.sub(1, tf.mul(sg, n.vThreshold));
        }
        const gVt = gV ? tf.add(gV[t], carry) : carry;
        const gH = tf.add(tf.mul(gS[t], sg), tf.mul(gVt, dVdH));
        const vPrev = t > 0 ? reset(hs[t - 1], fire(hs[t - 1])) : tf.fill([M], n.vRest);
        env.vars = { v: vPrev, x: xs[t] };
        const gx = tf.mul(gH, evalTf(n.dChargeDx, env));
        const c = tf.mul(gH, evalTf(n.dChargeDv, env));
        const gp = n.dChargeDparams.map((d, i) => tf.add(gParams[i], tf.sum(tf.mul(gH, evalTf(d, env)))));
        return { gx, c, gp };
      });
      carry.dispose();
      gParams.forEach((g) => g.dispose());
      gX[t] = next.gx;
      carry = next.c;
      gParams = next.gp;
    }
    env.invariant.forEach((t) => t.dispose());
    return [tf.stack(gX), ...gParams];
  };

  return makeNeuronOp(n, { forward: (x, params, withV) => tf.tidy(() => forward(x, params, withV)), backward: (dy, h, x, params, withV) => tf.tidy(() => backward(dy, h, x, params, withV)) });
}

/** Whether the charge's partial derivatives read X (then the backward pass needs X kept). */
export function partialsReadInput(n: CompiledNeuron): boolean {
  return [n.dChargeDv, n.dChargeDx, ...n.dChargeDparams].some((e) => e.uses('x'));
}

export interface NeuronOpImpl {
  /** Runs all T steps: the op's value (spikes, or spikes and V stacked) and H [T, M] for backward. */
  forward(x: tf.Tensor2D, params: tf.Tensor[], withV: boolean): { value: tf.Tensor; h: tf.Tensor };
  /** BPTT over all T: [dL/dx, ...dL/dparams]. `x` is given when the partials read it. */
  backward(dy: tf.Tensor, h: tf.Tensor, x: tf.Tensor | undefined, params: tf.Tensor[], withV: boolean): tf.Tensor[];
}

/**
 * Wraps a forward and a backward pass over all T into a NeuronOp whose gradient is the backward
 * pass. Keeps only H (and X when the partials read it) between the two.
 */
export function makeNeuronOp(n: CompiledNeuron, impl: NeuronOpImpl): NeuronOp {
  const needX = partialsReadInput(n);
  // One tf.customGrad per output form; the number of parameters is fixed per neuron.
  const cache = new Map<boolean, (...args: tf.Tensor[]) => tf.Tensor>();
  return (x, params, withV) => {
    let f = cache.get(withV);
    if (!f) {
      f = tf.customGrad((...args: any[]) => {
        const save = args.pop() as tf.GradSaveFunc;
        const [xIn, ...ps] = args as tf.Tensor[];
        const { value, h } = impl.forward(xIn as tf.Tensor2D, ps, withV);
        save(needX ? [h, ...ps, xIn] : [h, ...ps]);
        return {
          value,
          gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
            const [hSaved, ...rest] = saved;
            return impl.backward(dy, hSaved, needX ? rest[ps.length] : undefined, rest.slice(0, ps.length), withV);
          },
        };
      }) as unknown as (...args: tf.Tensor[]) => tf.Tensor;
      cache.set(withV, f);
    }
    return f(x, ...params);
  };
}
