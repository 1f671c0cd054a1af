import * as tf from '@tensorflow/tfjs';
import { ShapeError } from './errors.js';

export type LossKind = 'mse' | 'crossEntropy';

/** Firing rate: the mean over T of a [T, N, ...] output. */
export function firingRate(output: tf.Tensor): tf.Tensor {
  return tf.mean(output, 0);
}

/** Labels as one-hot [N, K]: accepts class indices [N] (int32 or float) or one-hot [N, K]. */
export function oneHotLabels(labels: tf.Tensor, numClasses: number, batch: number): tf.Tensor {
  if (labels.rank === 1) {
    if (labels.shape[0] !== batch) throw new ShapeError('labels', [batch], labels.shape);
    return tf.oneHot(tf.cast(labels, 'int32'), numClasses).toFloat();
  }
  if (labels.rank === 2 && labels.shape[0] === batch && labels.shape[1] === numClasses) return labels.toFloat();
  throw new ShapeError('labels: expected class indices [N] or one-hot [N, K]', [batch, numClasses], labels.shape);
}

/**
 * The loss on the firing rate [N, K]:
 * - 'mse': mean squared error against the one-hot label (the paper's loss, mean over N*K);
 * - 'crossEntropy': softmax cross-entropy with the rate as logits.
 */
export function rateLoss(kind: LossKind, rate: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const [N, K] = rate.shape;
    const target = oneHotLabels(labels, K, N);
    if (kind === 'mse') return tf.mean(tf.squaredDifference(rate, target)) as tf.Scalar;
    return tf.losses.softmaxCrossEntropy(target, rate) as tf.Scalar;
  });
}

/** Number of correct predictions (argmax of the rate) as a scalar tensor: read it when convenient. */
export function correctCount(rate: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const classes = labels.rank === 2 ? tf.argMax(labels, 1) : tf.cast(labels, 'int32');
    return tf.sum(tf.cast(tf.equal(tf.argMax(rate, 1), classes), 'int32')) as tf.Scalar;
  });
}
