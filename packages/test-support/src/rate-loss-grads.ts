import * as tf from '@tensorflow/tfjs';
import { firingRate, rateLoss, type Network } from '@spikeflow/core';

/**
 * One training-mode forward and backward of `net`, as the reference vectors were made: the
 * output's firing rate, its MSE rate loss against `labels`, and the gradient of every trainable
 * variable by variable name. The caller disposes `rate`, `loss` and the gradients.
 */
export function rateLossGrads(net: Network, input: tf.Tensor, labels: tf.Tensor): { rate: tf.Tensor; loss: tf.Scalar; grads: tf.NamedTensorMap } {
  let rate: tf.Tensor | undefined;
  const { value: loss, grads } = tf.variableGrads(() => {
    const r = firingRate(net.forward(input, { training: true }).output);
    rate = tf.keep(r);
    return rateLoss('mse', r, labels);
  }, net.trainableVariables());
  return { rate: rate!, loss, grads };
}
