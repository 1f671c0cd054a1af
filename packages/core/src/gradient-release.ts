import type * as tf from '@tensorflow/tfjs';
import { engine as tfEngine } from '@tensorflow/tfjs';

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

/**
 * Disposes what an op kept for its gradient (the `saved` tensors its gradient function received),
 * once that gradient is computed. tfjs keeps every op's saved tensors until the whole backward pass
 * ends, so the inputs the last layers kept are still alive while the first layers' gradients run
 * (where the gradients are largest). The saved tensors are the engine's own copies of the handles,
 * made for this op alone; nothing reads them after its gradient function. Left alone while an outer
 * gradient tape records (a gradient of a gradient), which may run the function again.
 */
export function releaseSaved(saved: readonly tf.Tensor[]): void {
  if (gradientTapeRecording()) return;
  for (const t of saved) if (!t.isDisposed) t.dispose();
}

/** True while an outer tf.grads records: its tape may still need what an inner backward pass used. */
function gradientTapeRecording(): boolean {
  return (tfEngine() as unknown as { state: { gradientDepth: number } }).state.gradientDepth > 0;
}
