import * as tf from '@tensorflow/tfjs';
import { field, type LayerSpecBase } from '@spikeflow/spec';
import { batchNormTrain } from '../batch-norm-op.js';
import { defineLayer } from '../layer-plugin.js';

export interface BatchNormLayerSpec extends LayerSpecBase {
  kind: 'batchNorm';
  /** Weight of the new batch statistic in the running average (PyTorch convention). */
  momentum?: number;
  epsilon?: number;
}

/** Batch normalisation over the last (channel) axis; statistics over T*N(*H*W) while training. */

export const batchNorm = defineLayer({
  kind: 'batchNorm',
  description: 'batch normalisation over the channel axis',
  fields: {
    momentum: field.number({ min: 0, max: 1, default: 0.1, description: 'weight of the batch statistic in the running average (PyTorch convention)' }),
    epsilon: field.number({ exclusiveMin: 0, default: 1e-5, description: 'added to the variance' }),
  },
  outputShape: ([input]) => input,
  stateless: true,
  build(c) {
    const channels = c.inputShape[c.inputShape.length - 1];
    const gamma = c.variable('gamma', tf.ones([channels]));
    const beta = c.variable('beta', tf.zeros([channels]));
    const movingMean = c.variable('movingMean', tf.zeros([channels]), false);
    const movingVar = c.variable('movingVariance', tf.ones([channels]), false);
    const momentum = c.spec.momentum as number;
    const eps = c.spec.epsilon as number;
    return {
      variables: [gamma, beta, movingMean, movingVar],
      apply: (x, ctx) => {
        if (!ctx.training) {
          return tf.batchNorm(x, movingMean.variable, movingVar.variable, beta.variable, gamma.variable, eps);
        }
        // Training: statistics over every axis but channels, i.e. over T*N(*H*W), as SpikingJelly's
        // multi-step BN does; the running variance is unbiased (PyTorch convention).
        const { y, mean, variance } = batchNormTrain(x, gamma.variable as tf.Tensor1D, beta.variable as tf.Tensor1D, eps);
        tf.tidy(() => {
          const count = (x.size / channels) * ctx.repeat;
          const unbiased = tf.mul(variance, count / Math.max(count - 1, 1));
          movingMean.variable.assign(tf.add(tf.mul(movingMean.variable, 1 - momentum), tf.mul(mean, momentum)));
          movingVar.variable.assign(tf.add(tf.mul(movingVar.variable, 1 - momentum), tf.mul(unbiased, momentum)));
        });
        tf.dispose([mean, variance]);
        return y;
      },
    };
  },
});

declare module '@spikeflow/spec' {
  interface LayerKinds {
    batchNorm: BatchNormLayerSpec;
  }
}
