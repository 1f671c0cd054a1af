import * as tf from '@tensorflow/tfjs';

/**
 * Adam's update of one variable as one op, where tfjs's Adam runs about a dozen elementwise ops per
 * variable (each a pass over the variable, and a fixed cost per op that dominates small variables).
 *
 *   ADAM_UPDATE_KERNEL ('SpikeflowAdamUpdate')
 *     inputs  { value, gradient, m, v: one shape; oneMinusAccBeta1, oneMinusAccBeta2: [] }   all float32
 *     attrs   { learningRate, beta1, beta2, epsilon: number }
 *     outputs [ value', m', v' ]  (value's shape)
 *             m' = beta1 m + (1 - beta1) g,   v' = beta2 v + (1 - beta2) g^2
 *             value' = value - learningRate (m' / oneMinusAccBeta1) / (sqrt(v' / oneMinusAccBeta2) + epsilon)
 *
 * The bias corrections come in as tensors (tfjs keeps beta^t on the device), so no step reads the
 * device synchronously. Backends without the kernel run tfjs's own Adam.
 */
export const ADAM_UPDATE_KERNEL = 'SpikeflowAdamUpdate';

export interface AdamUpdateAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** The reference: tfjs Adam's own arithmetic, in its order. */
export function adamUpdateReference(
  value: tf.Tensor, gradient: tf.Tensor, m: tf.Tensor, v: tf.Tensor, oneMinusAccBeta1: tf.Scalar, oneMinusAccBeta2: tf.Scalar, a: AdamUpdateAttrs,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const m1 = tf.add(tf.mul(m, a.beta1), tf.mul(gradient, 1 - a.beta1));
    const v1 = tf.add(tf.mul(v, a.beta2), tf.mul(tf.square(gradient), 1 - a.beta2));
    const step = tf.div(tf.div(m1, oneMinusAccBeta1), tf.add(tf.sqrt(tf.div(v1, oneMinusAccBeta2)), a.epsilon));
    return [tf.add(tf.mul(step, -a.learningRate), value), m1, v1];
  });
}

/** One variable's update: the backend's fused kernel where registered, else the reference. */
export function adamUpdate(
  value: tf.Tensor, gradient: tf.Tensor, m: tf.Tensor, v: tf.Tensor, oneMinusAccBeta1: tf.Scalar, oneMinusAccBeta2: tf.Scalar, attrs: AdamUpdateAttrs,
  impl?: 'reference',
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  if (impl === 'reference' || tf.getKernel(ADAM_UPDATE_KERNEL, tf.getBackend()) == null) {
    return adamUpdateReference(value, gradient, m, v, oneMinusAccBeta1, oneMinusAccBeta2, attrs);
  }
  for (const [name, t] of [['gradient', gradient], ['m', m], ['v', v]] as const) {
    if (!tf.util.arraysEqual(t.shape, value.shape)) {
      throw new Error(`adamUpdate: ${name} has shape [${t.shape.join(', ')}], the variable [${value.shape.join(', ')}]`);
    }
  }
  return tf.engine().runKernel(ADAM_UPDATE_KERNEL, { value, gradient, m, v, oneMinusAccBeta1, oneMinusAccBeta2 }, { ...attrs }) as unknown as [tf.Tensor, tf.Tensor, tf.Tensor];
}

/** The state tfjs's AdamOptimizer keeps (private in its typings). */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
}

/** Names of the bias-correction products beta1^t and beta2^t among the optimizer's weights. */
export const ACC_BETA1 = 'adam.accBeta1';
export const ACC_BETA2 = 'adam.accBeta2';

/**
 * tfjs's Adam (same state and update), whose update of each variable is one ADAM_UPDATE_KERNEL call
 * on backends that register it. Its weights also hold beta1^t and beta2^t as the run accumulated
 * them: tfjs's setWeights recomputes them as pow(beta, t), which differs from t float32
 * multiplications in the last bits at some t, so a resume would not be bit-exact.
 */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override async getWeights(): Promise<Array<{ name: string; tensor: tf.Tensor }>> {
    const s = this as unknown as AdamState;
    return [...(await super.getWeights()), { name: ACC_BETA1, tensor: s.accBeta1 }, { name: ACC_BETA2, tensor: s.accBeta2 }];
  }

  /** Takes tfjs Adam's weights; beta1^t and beta2^t when present (checkpoints saved before them recompute them). */
  override async setWeights(weightValues: Array<{ name: string; tensor: tf.Tensor }>): Promise<void> {
    const acc1 = weightValues.find((w) => w.name === ACC_BETA1);
    const acc2 = weightValues.find((w) => w.name === ACC_BETA2);
    await super.setWeights(weightValues.filter((w) => w !== acc1 && w !== acc2));
    const s = this as unknown as AdamState;
    tf.tidy(() => {
      if (acc1) s.accBeta1.assign(tf.reshape(acc1.tensor, []));
      if (acc2) s.accBeta2.assign(tf.reshape(acc2.tensor, []));
    });
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    if (tf.getKernel(ADAM_UPDATE_KERNEL, tf.getBackend()) == null) {
      super.applyGradients(variableGradients);
      return;
    }
    const s = this as unknown as AdamState;
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const attrs: AdamUpdateAttrs = { learningRate: s.learningRate, beta1: s.beta1, beta2: s.beta2, epsilon: s.epsilon };
    tf.tidy(() => {
      const oneMinusAccBeta1 = tf.sub(1, s.accBeta1) as tf.Scalar;
      const oneMinusAccBeta2 = tf.sub(1, s.accBeta2) as tf.Scalar;
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        // Slots as tfjs's Adam names and creates them, so getWeights/setWeights are unchanged.
        s.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        s.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const gradient: tf.Tensor | undefined = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
        if (gradient == null) return;
        const m = s.accumulatedFirstMoment[i]!.variable;
        const v = s.accumulatedSecondMoment[i]!.variable;
        const [value1, m1, v1] = adamUpdate(value, gradient, m, v, oneMinusAccBeta1, oneMinusAccBeta2, attrs);
        m.assign(m1);
        v.assign(v1);
        value.assign(value1);
      });
      s.accBeta1.assign(tf.mul(s.accBeta1, s.beta1));
      s.accBeta2.assign(tf.mul(s.accBeta2, s.beta2));
    });
    this.incrementIterations();
  }
}
