// The multi-step neuron op for tfjs's 'tensorflow' backend (tfjs-node, tfjs-node-gpu). Every tfjs
// kernel there is a call through N-API into libtensorflow, so the op is shaped to make as few calls
// per time step as TensorFlow's op set allows: whatever does not depend on the previous step runs
// once over all T ([T, M] at a time), and only the recurrence itself is a loop.
//
// Per time step (README, "Native calls per time step"):
//   forward, a charge affine in V (IF, LIF, PLIF): Mul, Add (H = a*V + b[t]), GreaterEqual (spike),
//     Select (reset) = 4; a soft reset adds a Sub; any other charge evaluates its expression per step.
//   backward: Mul, Add (dL/dH[t] = e[t] + dL/dH[t+1] * f[t]) = 2.
import * as tf from '@tensorflow/tfjs';
import { evalTf, makeNeuronOp, type CompiledNeuron, type NeuronOp } from '@spikeflow/core';

type Env = Parameters<typeof evalTf>[1];

/**
 * Runs fn with a factory of expression environments, then frees the values evalTf kept in them
 * (sub-expressions of the parameters alone, computed once and reused).
 */
function withEnvs<R extends tf.TensorContainer>(fn: (env: (params: tf.Tensor[], vars?: Env['vars']) => Env) => R): R {
  const envs: Env[] = [];
  try {
    return tf.tidy(() =>
      fn((params, vars = {}) => {
        const env: Env = { vars, params, invariant: new Map() };
        envs.push(env);
        return env;
      }),
    );
  } finally {
    for (const env of envs) env.invariant.forEach((t) => t.dispose());
  }
}

/**
 * TensorFlow's Select, called directly: tf.where first broadcasts its three inputs, and broadcasting
 * a tensor to its own shape is still one Identity call each.
 */
const select = (condition: tf.Tensor, t: tf.Tensor, e: tf.Tensor): tf.Tensor => tf.engine().runKernel('Select', { condition, t, e }) as tf.Tensor;

/** Whether H is affine in V (dH/dV does not depend on V): then H[t] = a * V[t-1] + b[t]. */
export const chargeIsAffineInV = (n: CompiledNeuron): boolean => !n.dChargeDv.uses('v');

/** The multi-step op for one neuron layer's dynamics. */
export function tensorflowNeuronOp(n: CompiledNeuron): NeuronOp {
  const hard = n.vReset !== null;
  const affine = chargeIsAffineInV(n);

  const forward = (x: tf.Tensor2D, params: tf.Tensor[], withV: boolean) =>
    withEnvs((newEnv) => {
      const [T, M] = x.shape;
      const th = tf.scalar(n.vThreshold);
      const resetTo = hard ? tf.fill([M], n.vReset!) : undefined;
      const env = newEnv(params);
      // a and b (of H = a*V + b) for all T at once; b is the charge at V = 0.
      let a: tf.Tensor | tf.Tensor[] | undefined;
      let b: tf.Tensor[] | undefined;
      let xs: tf.Tensor[] | undefined;
      if (affine) {
        const allT = newEnv(params, { v: tf.zeros([T, M]), x });
        const aAll = evalTf(n.dChargeDv, allT);
        a = aAll.rank === 0 ? aAll : tf.unstack(tf.broadcastTo(aAll, [T, M]));
        b = tf.unstack(tf.broadcastTo(evalTf(n.charge, allT), [T, M]));
      } else {
        xs = tf.unstack(x);
      }
      const hs: tf.Tensor[] = [];
      const ss: tf.Tensor[] = [];
      const vs: tf.Tensor[] = [];
      let v: tf.Tensor = tf.fill([M], n.vRest);
      for (let t = 0; t < T; t++) {
        let h: tf.Tensor;
        if (affine) {
          const at = Array.isArray(a) ? a[t] : a!;
          h = tf.add(tf.mul(at, v), b![t]);
        } else {
          env.vars = { v, x: xs![t] };
          h = evalTf(n.charge, env);
        }
        const fired = tf.greaterEqual(h, th);
        v = select(fired, hard ? resetTo! : tf.sub(h, th), h);
        hs.push(h);
        ss.push(fired);
        vs.push(v);
      }
      const spikes = tf.cast(tf.stack(ss), 'float32');
      return { value: withV ? tf.stack([spikes, tf.stack(vs)]) : spikes, h: tf.stack(hs) };
    });

  const backward = (dy: tf.Tensor, h: tf.Tensor, x: tf.Tensor | undefined, params: tf.Tensor[], withV: boolean) =>
    withEnvs((newEnv) => {
      const [T, M] = h.shape;
      const th = n.vThreshold;
      const s = tf.cast(tf.greaterEqual(h, th), 'float32');
      const sg = evalTf(n.surrogateGradient, newEnv(params, { u: tf.sub(h, th) }));
      // dV[t]/dH[t]: through H directly, and through the spike unless the reset is detached.
      let dVdH: tf.Tensor;
      if (hard) dVdH = n.detachReset ? tf.sub(1, s) : tf.add(tf.sub(1, s), tf.mul(tf.sub(n.vReset!, h), sg));
      else dVdH = n.detachReset ? tf.onesLike(h) : tf.sub(1, tf.mul(sg, th));
      // V[t-1] for every t: the reset applied to H, shifted one step (V[-1] = vRest).
      const v = hard ? tf.add(tf.mul(h, tf.sub(1, s)), tf.mul(s, n.vReset!)) : tf.sub(h, tf.mul(s, th));
      const vPrev = tf.concat([tf.fill([1, M], n.vRest), tf.slice(v, [0, 0], [T - 1, M])]);
      // x is kept for the backward pass only when the partials read it.
      const env = newEnv(params, { v: vPrev, x: x ?? tf.zeros([T, M]) });
      const dHdV = evalTf(n.dChargeDv, env);
      const [gS, gV] = withV ? tf.unstack(dy) : [dy];
      // e[t]: what reaches H[t] from step t itself (its spike and its V); f[t]: from H[t+1] through V[t].
      let e = tf.mul(gS, sg);
      if (gV) e = tf.add(e, tf.mul(gV, dVdH));
      let g = e;
      if (T > 1) {
        const dHdVnext = dHdV.rank === 0 ? dHdV : tf.slice(dHdV, [1, 0], [T - 1, M]);
        const f = tf.unstack(tf.broadcastTo(tf.mul(tf.slice(dVdH, [0, 0], [T - 1, M]), dHdVnext), [T - 1, M]));
        const es = tf.unstack(e);
        const gH: tf.Tensor[] = new Array(T);
        gH[T - 1] = es[T - 1];
        for (let t = T - 2; t >= 0; t--) gH[t] = tf.add(es[t], tf.mul(gH[t + 1], f[t]));
        g = tf.stack(gH);
      }
      const gX = tf.mul(g, tf.broadcastTo(evalTf(n.dChargeDx, env), [T, M]));
      return [gX, ...n.dChargeDparams.map((d) => tf.sum(tf.mul(g, evalTf(d, env))))];
    });

  return makeNeuronOp(n, { forward, backward });
}
