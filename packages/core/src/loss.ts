import * as tf from '@tensorflow/tfjs';
import { ShapeError } from './errors.js';

export const LOSS_KINDS = ['mse', 'crossEntropy', 'crossEntropyMax'] as const;
/**
 * What the loss compares with the label, from the network's output over T:
 * - 'mse' and 'crossEntropy' read the mean over T (the firing rate of spikes; the mean membrane
 *   potential of a readout layer such as LI);
 * - 'crossEntropyMax' reads the maximum over T (for a readout layer: its peak membrane potential).
 */
export type LossKind = (typeof LOSS_KINDS)[number];

/** Firing rate: the mean over T of a [T, N, ...] output. */
export function firingRate(output: tf.Tensor): tf.Tensor {
  return tf.mean(output, 0);
}

/** The [N, K] values a loss of this kind reads from a [T, N, K] output: the max over T, or the mean. */
export function outputReadout(kind: LossKind, output: tf.Tensor): tf.Tensor {
  return kind === 'crossEntropyMax' ? tf.max(output, 0) : tf.mean(output, 0);
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
 * - 'crossEntropy', 'crossEntropyMax': softmax cross-entropy with the rate (or the max over T) as logits.
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
