import type * as tf from '@tensorflow/tfjs';

/**
 * Disposes the gradient a custom op's gradient function received, once the op's own gradients are
 * computed. tfjs keeps every intermediate gradient of a backward pass until the whole pass ends, so
 * without this every layer's output gradient is alive at once (the step's high-water mark). Only a
 * gradient the backward pass itself made is disposed: one newer than the op's forward output
 * (`forwardOutput`, tensor ids only grow). A gradient the caller passed in (`tf.grads(f)(x, dy)`)
 * is older than the forward pass, and is left alone.
 */
export function releaseUpstreamGradient(dy: tf.Tensor, forwardOutput: tf.Tensor): void {
  if (dy.id > forwardOutput.id && !dy.isDisposed) dy.dispose();
}
