import * as tf from '@tensorflow/tfjs';

/**
 * SGD with momentum's update of one variable as one op, where tfjs's MomentumOptimizer runs four
 * elementwise ops per variable (a pass over it each).
 *
 *   MOMENTUM_UPDATE_KERNEL ('SpikeflowMomentumUpdate')
 *     inputs  { value, gradient, accumulation: one shape }   all float32
 *     attrs   { learningRate, momentum: number; nesterov: boolean }
 *     outputs [ value', accumulation' ]
 *             with m = float32(momentum), c = float32(-learningRate), in float32, in this order:
 *             accumulation' = m * accumulation + gradient
 *             value' = c * accumulation' + value                      (nesterov: c * (gradient + accumulation' * m) + value)
 *             which is tfjs's MomentumOptimizer's arithmetic: a kernel returns its exact results.
 */
export const MOMENTUM_UPDATE_KERNEL = 'SpikeflowMomentumUpdate';

export interface MomentumUpdateAttrs {
  learningRate: number;
  momentum: number;
  nesterov: boolean;
}

/** The state tfjs's MomentumOptimizer keeps (private in its typings). */
interface MomentumState {
  learningRate: number;
  momentum: number;
  useNesterov: boolean;
  accumulations: Array<{ originalName: string; variable: tf.Variable } | undefined>;
}

/**
 * tfjs's MomentumOptimizer (same state, weights and results), whose update of each variable is one
 * MOMENTUM_UPDATE_KERNEL call on backends that register it.
 */
export class FusedMomentumOptimizer extends tf.MomentumOptimizer {
  override applyGradients(variableGradients: Parameters<tf.MomentumOptimizer['applyGradients']>[0]): void {
    if (tf.getKernel(MOMENTUM_UPDATE_KERNEL, tf.getBackend()) == null) {
      super.applyGradients(variableGradients);
      return;
    }
    const s = this as unknown as MomentumState;
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const attrs: MomentumUpdateAttrs = { learningRate: s.learningRate, momentum: s.momentum, nesterov: s.useNesterov };
    names.forEach((name, i) => {
      const value = tf.engine().registeredVariables[name];
      // The slot as tfjs names and creates it, so getWeights/setWeights are unchanged.
      s.accumulations[i] ??= { originalName: `${name}/momentum`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      const gradient: tf.Tensor | undefined = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
      if (gradient == null) return;
      const accumulation = s.accumulations[i]!.variable;
      if (!tf.util.arraysEqual(gradient.shape, value.shape)) {
        throw new Error(`momentum update: the gradient of ${name} has shape [${gradient.shape.join(', ')}], the variable [${value.shape.join(', ')}]`);
      }
      tf.tidy(() => {
        const [value1, accumulation1] = tf.engine().runKernel(MOMENTUM_UPDATE_KERNEL, { value, gradient, accumulation }, { ...attrs }) as tf.Tensor[];
        accumulation.assign(accumulation1);
        value.assign(value1);
      });
    });
    this.incrementIterations();
  }
}
