import * as tf from '@tensorflow/tfjs';
import { releaseSaved, releaseUpstreamGradient } from './gradient-release.js';
import { reshapeKeepingNothing } from './spike-storage.js';

/**
 * Batch norm for training as one op: batch statistics, normalisation and the affine transform in
 * one forward kernel; dx, dgamma and dbeta in one backward kernel. Backends that register the two
 * kernel names below run them fused; on any other backend the reference (tfjs ops) runs, with
 * results equal within float32 rounding.
 *
 * Layout: every axis but the channel axis is folded into rows, channels innermost.
 *
 *   BATCH_NORM_TRAIN_KERNEL ('SpikeflowBatchNormTrain')
 *     inputs  { x: [R, C], gamma: [C], beta: [C] }           all float32
 *     attrs   { epsilon: number }
 *     outputs [ y: [R, C], mean: [C], variance: [C] ]
 *             mean and variance over the R rows; variance is biased (divided by R).
 *             y = (x - mean) / sqrt(variance + epsilon) * gamma + beta
 *
 *   BATCH_NORM_TRAIN_GRAD_KERNEL ('SpikeflowBatchNormTrainGrad')
 *     inputs  { dy: [R, C], x: [R, C], mean: [C], variance: [C], gamma: [C] }   (mean, variance: the forward's outputs)
 *     attrs   { epsilon: number }
 *     outputs [ dx: [R, C], dgamma: [C], dbeta: [C] ]
 *             with xhat = (x - mean) / sqrt(variance + epsilon):
 *             dbeta = sum_r dy, dgamma = sum_r dy * xhat,
 *             dx = gamma / sqrt(variance + epsilon) * (dy - dbeta / R - xhat * dgamma / R)
 *
 * The mean and variance outputs feed the running statistics only: no gradient flows back through
 * them (the gradient through y already accounts for x's influence on the batch statistics).
 */
export const BATCH_NORM_TRAIN_KERNEL = 'SpikeflowBatchNormTrain';
export const BATCH_NORM_TRAIN_GRAD_KERNEL = 'SpikeflowBatchNormTrainGrad';

export interface BatchNormTrainResult {
  /** The normalised output, x's shape. */
  y: tf.Tensor;
  /** Batch mean per channel [C]. */
  mean: tf.Tensor1D;
  /** Biased batch variance per channel [C]. */
  variance: tf.Tensor1D;
}

const hasKernel = (name: string, backend = tf.getBackend()): boolean => tf.getKernel(name, backend) != null;

/** Which implementation runs batch norm for training on a backend: 'fused' where it registered the forward kernel. */
export function batchNormImplementation(backendName = tf.getBackend()): 'fused' | 'reference' {
  return hasKernel(BATCH_NORM_TRAIN_KERNEL, backendName) ? 'fused' : 'reference';
}

function checkInputs(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): number {
  const channels = x.shape[x.rank - 1];
  if (x.rank < 2) throw new Error(`batchNormTrain: x must have a batch axis and a channel axis, got shape [${x.shape.join(', ')}]`);
  if (x.dtype !== 'float32') throw new Error(`batchNormTrain: x must be float32, got ${x.dtype}`);
  for (const [name, t] of [['gamma', gamma], ['beta', beta]] as const) {
    if (t.rank !== 1 || t.shape[0] !== channels) {
      throw new Error(`batchNormTrain: ${name} must have shape [${channels}] (x's channel axis), got [${t.shape.join(', ')}]`);
    }
  }
  return channels;
}

let gradientRegistered = false;

function registerGradient(): void {
  if (gradientRegistered) return;
  tf.registerGradient({
    kernelName: BATCH_NORM_TRAIN_KERNEL,
    inputsToSave: ['x', 'gamma'],
    outputsToSave: [false, true, true],
    gradFunc: (dys, saved, attrs) => {
      const dy = (Array.isArray(dys) ? dys[0] : dys) as tf.Tensor2D;
      const [x, gamma, mean, variance] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
      const { dx, dgamma, dbeta } = batchNormTrainGrad(dy, x, mean, variance, gamma, (attrs as unknown as { epsilon: number }).epsilon);
      // `mean` was saved in the forward pass: a dy newer than it is the backward pass's own.
      releaseUpstreamGradient(dy, mean);
      releaseSaved(saved);
      return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
    },
  });
  gradientRegistered = true;
}

/**
 * Batch norm for training over every axis of x but the last (channels): returns y and the batch
 * statistics. Runs the backend's fused kernels where registered, else the reference.
 */
export function batchNormTrain(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number, impl?: 'reference'): BatchNormTrainResult {
  const channels = checkInputs(x, gamma, beta);
  if (impl === 'reference' || !hasKernel(BATCH_NORM_TRAIN_KERNEL)) return batchNormTrainReference(x, gamma, beta, epsilon);
  registerGradient();
  return tf.tidy(() => {
    // Reshapes that keep no copy of x or y for their gradient (tfjs's Reshape keeps its input).
    const x2 = reshapeKeepingNothing(x, [x.size / channels, channels]);
    const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAIN_KERNEL, { x: x2, gamma, beta }, { epsilon }) as tf.Tensor[];
    return { y: reshapeKeepingNothing(y, x.shape), mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
  });
}

/** The reference forward: tfjs ops, differentiated by tfjs. */
export function batchNormTrainReference(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): BatchNormTrainResult {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  const y = tf.batchNorm(x, mean, variance, beta, gamma, epsilon);
  return { y, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}

export interface BatchNormTrainGradResult {
  dx: tf.Tensor2D;
  dgamma: tf.Tensor1D;
  dbeta: tf.Tensor1D;
}

/** The backward op on [R, C] tensors: the backend's fused kernel where registered, else the reference. */
export function batchNormTrainGrad(
  dy: tf.Tensor2D, x: tf.Tensor2D, mean: tf.Tensor1D, variance: tf.Tensor1D, gamma: tf.Tensor1D, epsilon: number, impl?: 'reference',
): BatchNormTrainGradResult {
  if (impl === 'reference' || !hasKernel(BATCH_NORM_TRAIN_GRAD_KERNEL)) return batchNormTrainGradReference(dy, x, mean, variance, gamma, epsilon);
  const [dx, dgamma, dbeta] = tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD_KERNEL, { dy, x, mean, variance, gamma }, { epsilon }) as tf.Tensor[];
  return { dx: dx as tf.Tensor2D, dgamma: dgamma as tf.Tensor1D, dbeta: dbeta as tf.Tensor1D };
}

/** The reference backward in closed form, with tfjs ops (the formula documented above). */
export function batchNormTrainGradReference(
  dy: tf.Tensor2D, x: tf.Tensor2D, mean: tf.Tensor1D, variance: tf.Tensor1D, gamma: tf.Tensor1D, epsilon: number,
): BatchNormTrainGradResult {
  return tf.tidy(() => {
    const rows = x.shape[0];
    const invStd = tf.rsqrt(tf.add(variance, epsilon));
    const xhat = tf.mul(tf.sub(x, mean), invStd);
    const dbeta = tf.sum(dy, 0) as tf.Tensor1D;
    const dgamma = tf.sum(tf.mul(dy, xhat), 0) as tf.Tensor1D;
    const centered = tf.sub(tf.sub(dy, tf.div(dbeta, rows)), tf.mul(xhat, tf.div(dgamma, rows)));
    const dx = tf.mul(centered, tf.mul(gamma, invStd)) as tf.Tensor2D;
    return { dx, dgamma, dbeta };
  });
}
