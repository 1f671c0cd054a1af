import * as tf from '@tensorflow/tfjs';
import { firingRate, rateLoss, type LossKind } from './loss.js';
import type { Network } from './network.js';

export type OptimizerSpec =
  | { kind: 'adam'; learningRate: number; beta1?: number; beta2?: number; epsilon?: number }
  | { kind: 'sgd'; learningRate: number; momentum?: number; nesterov?: boolean };

/** Cosine annealing (PyTorch's CosineAnnealingLR): lr(e) = etaMin + (lr0 - etaMin)(1 + cos(pi e / tMax)) / 2. */
export interface CosineSchedule {
  kind: 'cosine';
  /** Period in epochs (the paper: 64). */
  tMax: number;
  etaMin?: number;
}

export interface TrainerOptions {
  optimizer: OptimizerSpec;
  loss?: LossKind;
  schedule?: CosineSchedule;
}

export function cosineLearningRate(lr0: number, epoch: number, s: CosineSchedule): number {
  const etaMin = s.etaMin ?? 0;
  return etaMin + ((lr0 - etaMin) * (1 + Math.cos((Math.PI * epoch) / s.tMax))) / 2;
}

export function makeOptimizer(spec: OptimizerSpec): tf.Optimizer {
  switch (spec.kind) {
    case 'adam':
      return tf.train.adam(spec.learningRate, spec.beta1 ?? 0.9, spec.beta2 ?? 0.999, spec.epsilon ?? 1e-8);
    case 'sgd':
      return spec.momentum ? tf.train.momentum(spec.learningRate, spec.momentum, spec.nesterov ?? false) : tf.train.sgd(spec.learningRate);
    default:
      throw new Error(`optimizer: unknown kind ${JSON.stringify((spec as { kind: unknown }).kind)}; known: adam, sgd`);
  }
}

/** Sets an optimizer's learning rate; tfjs optimizers differ in where they keep it. */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const o = optimizer as unknown as { setLearningRate?: (lr: number) => void; learningRate: number };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}

export interface StepResult {
  /** Scalar loss; read it with `await loss.data()` when needed (no synchronous read happens here). */
  loss: tf.Scalar;
  /** Firing rate of the output [N, K], for accuracy. */
  rate: tf.Tensor;
}

/**
 * Trains a network: one BPTT step per batch. Every step disposes what it made except the returned
 * loss and rate, which the caller disposes (tf.memory().numTensors stays flat over steps).
 */
export class Trainer {
  readonly optimizer: tf.Optimizer;
  readonly lossKind: LossKind;
  /** Number of optimiser steps taken (restored from checkpoints). */
  step = 0;
  epoch = 0;

  constructor(
    readonly network: Network,
    readonly options: TrainerOptions,
  ) {
    this.optimizer = makeOptimizer(options.optimizer);
    this.lossKind = options.loss ?? 'mse';
    this.setEpoch(0);
  }

  /** The learning rate for an epoch under the schedule (constant without one). */
  learningRateAt(epoch: number): number {
    const lr0 = this.options.optimizer.learningRate;
    return this.options.schedule ? cosineLearningRate(lr0, epoch, this.options.schedule) : lr0;
  }

  /** Moves the schedule to an epoch (call at the start of each epoch). */
  setEpoch(epoch: number): void {
    this.epoch = epoch;
    setLearningRate(this.optimizer, this.learningRateAt(epoch));
  }

  /** One training step on a batch: input as Network.forward takes it, labels [N] or one-hot [N, K]. */
  trainStep(input: tf.Tensor, labels: tf.Tensor): StepResult {
    let rate: tf.Tensor | undefined;
    const loss = this.optimizer.minimize(
      () => {
        const { output } = this.network.forward(input, { training: true });
        const r = firingRate(output);
        rate = tf.keep(r);
        return rateLoss(this.lossKind, r, labels);
      },
      true,
      this.network.trainableVariables(),
    ) as tf.Scalar;
    this.step++;
    return { loss, rate: rate! };
  }

  /** Evaluation: firing rate [N, K] without dropout, batch statistics from the running averages. */
  evaluate(input: tf.Tensor): tf.Tensor {
    return this.network.predict(input);
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
