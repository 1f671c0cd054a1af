import * as tf from '@tensorflow/tfjs';
import { ShapeError } from './errors.js';
import { outputReadout, rateLoss, type LossKind } from './loss.js';
import { mixSeed, type Network } from './network.js';
import { FusedAdamOptimizer } from './adam-op.js';
import { FusedMomentumOptimizer } from './momentum-op.js';
import { allFinite, labelsValid, stepChecks, stepError, type StepCheck } from './step-checks.js';

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
      // tfjs's Adam, with each variable's update fused into one kernel where the backend has it.
      return new FusedAdamOptimizer(spec.learningRate, spec.beta1 ?? 0.9, spec.beta2 ?? 0.999, spec.epsilon ?? 1e-8);
    case 'sgd':
      // tfjs's momentum SGD, each variable's update one kernel where the backend has it.
      return spec.momentum ? new FusedMomentumOptimizer(spec.learningRate, spec.momentum, spec.nesterov ?? false) : tf.train.sgd(spec.learningRate);
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

export interface CheckedStepResult extends StepResult {
  /** True when the step was invalid and `skipInvalid` left the weights and optimiser state as they were. */
  skipped: boolean;
}

export interface TrainStepOptions {
  /**
   * Compute the step's checks on the device for `verify()` (default true). False skips them: a
   * little faster, but `verify()` then knows nothing of this step.
   */
  checks?: boolean;
}

export interface CheckedStepOptions {
  /** Skip an invalid step (no update) instead of throwing a StepError. */
  skipInvalid?: boolean;
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
    this.epochStarts.push([this.step + 1, epoch]);
    setLearningRate(this.optimizer, this.learningRateAt(epoch));
  }

  /**
   * One training step on a batch: input as Network.forward takes it, labels [N] or one-hot [N, K].
   * Shapes are checked before anything runs. The values are checked on the device without waiting
   * (finite input, labels that are class indices, finite loss, gradients and updated weights): call
   * `await verify()` when reading the step's metrics to learn whether any step so far was invalid.
   */
  trainStep(input: tf.Tensor, labels: tf.Tensor, options: TrainStepOptions = {}): StepResult {
    const numClasses = this.checkShapes(input, labels);
    const step = this.step + 1;
    const checks = options.checks ?? true;
    let rate: tf.Tensor | undefined;
    try {
      const loss = tf.tidy(() => {
        const { value, grads } = this.computeGradients(input, labels, (r) => (rate = r));
        const before = checks ? this.preUpdateFlags(input, labels, numClasses, value, grads) : undefined;
        this.optimizer.applyGradients(grads);
        if (before) this.recordFlags(tf.concat([before, this.weightFlags()]), step);
        return value;
      });
      this.step = step;
      return { loss, rate: rate! };
    } catch (e) {
      rate?.dispose();
      throw e;
    }
  }

  /**
   * A training step that reads its checks before updating (one device read per step): an invalid
   * step throws a StepError naming the epoch, the step and what was wrong, or with `skipInvalid`
   * leaves the weights and optimiser state untouched and returns `skipped: true`.
   */
  async trainStepChecked(input: tf.Tensor, labels: tf.Tensor, options: CheckedStepOptions = {}): Promise<CheckedStepResult> {
    const numClasses = this.checkShapes(input, labels);
    const step = this.step + 1;
    let rate: tf.Tensor | undefined;
    let loss: tf.Scalar | undefined;
    let grads: tf.NamedTensorMap | undefined;
    // The forward pass updates state outside the optimiser (batch norm's running statistics): keep
    // a copy so that a skipped step leaves no trace.
    const state = this.network.namedVariables().filter((v) => !v.trainable);
    const saved = state.map((v) => tf.clone(v.variable));
    try {
      ({ value: loss, grads } = tf.tidy(() => this.computeGradients(input, labels, (r) => (rate = r))));
      const before = tf.tidy(() => this.preUpdateFlags(input, labels, numClasses, loss!, grads!));
      const flags = await before.data();
      before.dispose();
      const bad = flags.findIndex((f) => f === 0);
      if (bad >= 0) {
        tf.dispose(grads);
        state.forEach((v, i) => v.variable.assign(saved[i]));
        if (!options.skipInvalid) throw stepError(this.checks()[bad], this.epochOf(step) + 1, step, numClasses);
        this.skippedSteps++;
        return { loss, rate: rate!, skipped: true };
      }
      tf.tidy(() => {
        this.optimizer.applyGradients(grads!);
        this.recordFlags(tf.concat([tf.ones([flags.length], 'bool'), this.weightFlags()]), step);
      });
      tf.dispose(grads);
      this.step = step;
      return { loss, rate: rate!, skipped: false };
    } catch (e) {
      tf.dispose([rate, loss]);
      if (grads) tf.dispose(grads);
      throw e;
    } finally {
      tf.dispose(saved);
    }
  }

  /**
   * Reads the checks of every step since the trainer was made (one small read) and throws a
   * StepError for the earliest invalid one. Call it where the loop reads its metrics anyway.
   */
  async verify(): Promise<void> {
    if (!this.firstFailure) return;
    const failedAt = await this.firstFailure.data();
    let worst = -1;
    for (let i = 0; i < failedAt.length; i++) {
      if (failedAt[i] >= 0 && (worst < 0 || failedAt[i] < failedAt[worst])) worst = i;
    }
    if (worst >= 0) throw stepError(this.checks()[worst], this.epochOf(failedAt[worst]) + 1, failedAt[worst], this.numClasses());
  }

  /** Steps that trainStepChecked skipped as invalid. */
  skippedSteps = 0;

  private checkList: StepCheck[] | undefined;
  /** Per check: the first step (1-based) that failed it, or -1. Lives on the device. */
  private firstFailure: tf.Tensor1D | undefined;
  /** [first step, epoch] each time the epoch changed, to name the epoch of a failed step. */
  private epochStarts: Array<[number, number]> = [];

  private checks(): StepCheck[] {
    this.checkList ??= stepChecks(this.network.trainableNamedVariables().map((v) => v.name));
    return this.checkList;
  }

  private numClasses(): number {
    return this.network.outputShape().reduce((a, b) => a * b, 1);
  }

  private epochOf(step: number): number {
    let epoch = this.epoch;
    for (const [first, e] of this.epochStarts) if (first <= step) epoch = e;
    return epoch;
  }

  /** Checks shapes before any tensor is made (a bad call leaks nothing); returns the number of classes. */
  private checkShapes(input: tf.Tensor, labels: tf.Tensor): number {
    const { N } = this.network.checkInput(input);
    const K = this.numClasses();
    if (!(labels instanceof tf.Tensor)) throw new TypeError(`trainStep: labels must be a tf.Tensor of class indices [${N}] or one-hot rows [${N}, ${K}]`);
    const ok = (labels.rank === 1 && labels.shape[0] === N) || (labels.rank === 2 && labels.shape[0] === N && labels.shape[1] === K);
    if (!ok) throw new ShapeError(`trainStep: labels must be class indices [N] or one-hot rows [N, K] for the ${N} inputs and ${K} classes`, [N], labels.shape);
    return K;
  }

  private computeGradients(input: tf.Tensor, labels: tf.Tensor, keepRate: (r: tf.Tensor) => void): { value: tf.Scalar; grads: tf.NamedTensorMap } {
    return this.optimizer.computeGradients(() => {
      const { output } = this.network.forward(input, { training: true, seed: this.randomSeed(this.step + 1) });
      const r = outputReadout(this.lossKind, output);
      keepRate(tf.keep(r));
      return rateLoss(this.lossKind, r, labels);
    }, this.network.trainableVariables());
  }

  /** The seed of a step's random draws (dropout, Poisson): a function of the network's seed and the step. */
  private randomSeed(step: number): number {
    return mixSeed(this.network.seed, step);
  }

  private preUpdateFlags(input: tf.Tensor, labels: tf.Tensor, numClasses: number, loss: tf.Scalar, grads: tf.NamedTensorMap): tf.Tensor1D {
    const vars = this.network.trainableVariables();
    return tf.stack([allFinite(input), labelsValid(labels, numClasses), allFinite(loss), ...vars.map((v) => allFinite(grads[v.name]))]) as tf.Tensor1D;
  }

  private weightFlags(): tf.Tensor1D {
    return tf.stack(this.network.trainableVariables().map((v) => allFinite(v))) as tf.Tensor1D;
  }

  /** Keeps, per check, the first step that failed it, on the device (no read, no growth). */
  private recordFlags(flags: tf.Tensor, step: number): void {
    const previous = this.firstFailure ?? tf.fill([flags.shape[0]], -1, 'int32');
    const next = tf.where(tf.logicalAnd(tf.less(previous, 0), tf.logicalNot(flags)), tf.fill([flags.shape[0]], step, 'int32'), previous) as tf.Tensor1D;
    if (this.firstFailure) this.firstFailure.dispose();
    this.firstFailure = tf.keep(next);
  }

  /** Evaluation: what the loss reads ([N, K], firing rate or max over T) without dropout, batch statistics from the running averages. */
  evaluate(input: tf.Tensor): tf.Tensor {
    if (this.lossKind !== 'crossEntropyMax') return this.network.predict(input);
    return tf.tidy(() => outputReadout(this.lossKind, this.network.forward(input).output));
  }

  dispose(): void {
    this.firstFailure?.dispose();
    this.optimizer.dispose();
  }
}
