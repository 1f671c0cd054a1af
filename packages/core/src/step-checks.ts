import * as tf from '@tensorflow/tfjs';
import { StepError, type StepCheckKind } from './errors.js';

/** One entry of a step's flag vector: what it checks, and for which variable. */
export interface StepCheck {
  kind: StepCheckKind;
  subject?: string;
}

/** The checks of every step, in the order of its flag vector: input, labels, loss, then per variable gradient and weight. */
export function stepChecks(variableNames: readonly string[]): StepCheck[] {
  return [
    { kind: 'input' },
    { kind: 'labels' },
    { kind: 'loss' },
    ...variableNames.map((subject) => ({ kind: 'gradient' as const, subject })),
    ...variableNames.map((subject) => ({ kind: 'weight' as const, subject })),
  ];
}

/**
 * A kernel a backend may register to check a tensor in one pass, where tfjs's IsFinite writes a
 * bool per element and All reads them back: inputs { x } (float32, any shape), no attrs, output a
 * bool scalar, true when every element is finite.
 */
export const ALL_FINITE_KERNEL = 'SpikeflowAllFinite';

/** True (as a bool scalar on the device) when every element is finite. */
export function allFinite(t: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const x = t.dtype === 'float32' ? t : tf.cast(t, 'float32');
    if (tf.getKernel(ALL_FINITE_KERNEL, tf.getBackend()) != null) return tf.engine().runKernel(ALL_FINITE_KERNEL, { x }, {}) as tf.Scalar;
    return tf.all(tf.isFinite(x)) as tf.Scalar;
  });
}

/**
 * True when the labels are usable: class indices [N] that are integers in 0..K-1, or one-hot-like
 * rows [N, K] of finite values >= 0. Computed on the device, so no step waits for a read.
 */
export function labelsValid(labels: tf.Tensor, numClasses: number): tf.Scalar {
  return tf.tidy(() => {
    const y = tf.cast(labels, 'float32');
    const finite = tf.all(tf.isFinite(y));
    const nonNegative = tf.all(tf.greaterEqual(y, 0));
    if (labels.rank === 2) return tf.logicalAnd(finite, nonNegative) as tf.Scalar;
    const integer = tf.all(tf.equal(y, tf.floor(y)));
    const inRange = tf.all(tf.less(y, numClasses));
    return tf.logicalAnd(tf.logicalAnd(finite, nonNegative), tf.logicalAnd(integer, inRange)) as tf.Scalar;
  });
}

const DIVERGED = 'training diverged (try a lower learning rate, or skip such steps)';

/** The error for a failed check at a step. */
export function stepError(check: StepCheck, epoch: number, step: number, numClasses: number): StepError {
  const detail = {
    input: 'the input batch holds NaN or Infinity',
    labels: `the labels are not class indices: each must be an integer in 0..${numClasses - 1} (or a one-hot row [${numClasses}] of finite values >= 0)`,
    loss: `the loss is NaN or Infinity: ${DIVERGED}`,
    gradient: `the gradient of ${check.subject} is NaN or Infinity: ${DIVERGED}`,
    weight: `weight ${check.subject} became NaN or Infinity after the update: ${DIVERGED}`,
    parameter: `neuron parameter ${check.subject} is not finite: ${DIVERGED}`,
  }[check.kind];
  return new StepError(check.kind, check.subject, epoch, step, detail);
}

/**
 * Checks the values `Network.neuronParameters()` returned (e.g. PLIF's w and tau): an infinite tau
 * means the learning rate drove w to -Infinity's side, which no further step can undo.
 */
export function checkNeuronParameters(params: Record<string, Record<string, number>>, epoch: number, step: number): void {
  for (const [layer, values] of Object.entries(params)) {
    for (const [name, value] of Object.entries(values)) {
      if (!Number.isFinite(value)) {
        throw new StepError('parameter', `${layer}.${name}`, epoch, step, `neuron parameter ${layer}.${name} is ${value}: ${DIVERGED}`);
      }
    }
  }
}
