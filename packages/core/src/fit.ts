import * as tf from '@tensorflow/tfjs';
import { correctCount, outputReadout, rateLoss, type LossKind } from './loss.js';
import { ScalarMeter } from './meter.js';
import { runMonitors, type Monitor } from './monitors.js';
import type { Network } from './network.js';
import { StepError } from './errors.js';
import { checkNeuronParameters } from './step-checks.js';
import { setLearningRate, type Trainer } from './train.js';

/** Inputs and labels of one batch. `fit` and `evaluate` take ownership and dispose both. */
export interface LabelledBatch {
  /** As Network.forward takes it: [N, ...shape], or [T, N, ...shape] for sequences. */
  xs: tf.Tensor;
  /** Class indices [N] or one-hot [N, K]. */
  ys: tf.Tensor;
}

/** Where batches come from: an image set, event frames, generated data, a browser upload... */
export interface BatchStream {
  /** Samples per epoch, for progress and the ETA (optional). */
  readonly size?: number;
  /** Batches per epoch, for progress and a learning rate that changes every step (optional). */
  readonly batchesPerEpoch?: number;
  /** The batches of one epoch (0-based), in the order to train on. */
  batches(epoch: number): AsyncIterable<LabelledBatch> | Iterable<LabelledBatch>;
}

/** Progress after a training step. Loss and accuracy are the epoch's running means as last read. */
export interface BatchProgress {
  /** 0-based epoch and batch. */
  epoch: number;
  epochs: number;
  batch: number;
  batchesPerEpoch?: number;
  /** Samples trained on in this epoch so far, and per epoch when known. */
  samples: number;
  samplesPerEpoch?: number;
  /** Optimiser steps taken in total (the trainer's step counter). */
  step: number;
  learningRate: number;
  /** Running means of this epoch, read from the device every `readEvery` steps (NaN before). */
  loss: number;
  accuracy: number;
  /** Training throughput of this epoch so far. */
  imagesPerSecond: number;
  /** Seconds since fit started. */
  elapsedSeconds: number;
}

/** What one epoch (or the part of it that ran) gave. */
export interface EpochReport {
  /** 1-based: the number of the epoch as a person counts it. */
  epoch: number;
  /** False when the epoch was cut short (time budget, step limit or abort). */
  complete: boolean;
  /** Batches trained in this epoch (including any skipped on resume). */
  batches: number;
  samples: number;
  /** Learning rate at the end of the epoch. */
  learningRate: number;
  trainLoss: number;
  trainAccuracy: number;
  /** On the validation stream, when fit was given one. */
  validation?: EvaluateResult;
  /** Seconds of training (validation excluded) and the training throughput. */
  seconds: number;
  imagesPerSecond: number;
  /** Trainable neuron parameters and what they derive (PLIF: { w, tau }) per layer. */
  neurons: Record<string, Record<string, number>>;
  /** Results of the monitors run on the probe batch at the end of the epoch. */
  monitors?: Record<string, unknown>;
}

/** 'diverged': a step check failed (NaN or Infinity in the input, loss or a weight, or bad labels). */
export type StopReason = 'completed' | 'aborted' | 'time' | 'steps' | 'diverged';

export interface FitResult {
  /** Reports of the epochs that ended normally (cut-short last epochs included, aborts excluded). */
  epochs: EpochReport[];
  stopReason: StopReason;
  /** When stopped by the abort signal: the epoch so far (no validation ran). */
  interrupted?: EpochReport;
  /**
   * When stopReason is 'diverged': the failed check, naming the epoch, the step and what was wrong.
   * The weights are those after the bad step: keep (or reload) the last checkpoint saved in onEpochEnd.
   */
  error?: StepError;
  seconds: number;
}

export interface FitOptions {
  /** Total number of epochs (the run ends after epoch `epochs - 1`, 0-based). */
  epochs: number;
  /** First epoch to run (0-based), for resuming. Default 0. */
  initialEpoch?: number;
  /** Batches of `initialEpoch` already trained (a checkpoint saved mid-epoch): they are skipped. */
  skipBatches?: number;
  /** Evaluated at the end of every epoch. */
  validation?: BatchStream;
  /** Run on `monitorInput` at the end of every epoch (one extra forward pass, evaluation mode). */
  monitors?: readonly Monitor[];
  monitorInput?: tf.Tensor;
  /** Read loss and accuracy from the device every k steps (default 20). Nothing is read in between. */
  readEvery?: number;
  /**
   * When the learning-rate schedule moves: 'epoch' (at each epoch start, the paper's setting) or
   * 'step' (every step, the epoch fraction from batchesPerEpoch). Default 'epoch'.
   */
  scheduleBy?: 'epoch' | 'step';
  /**
   * Training time budget in seconds: training stops after the step that crosses it, then the
   * epoch is validated and reported (complete: false). With scheduleBy 'step' the schedule follows
   * whichever is further along, the epochs or the time, so the learning rate ends annealed.
   */
  maxSeconds?: number;
  /** Stop after this many steps in this call (smoke runs, benchmarks). */
  maxSteps?: number;
  /** Aborting stops training after the current step; fit then returns the epoch so far. */
  signal?: AbortSignal;
  /**
   * Check every step (default true): finite input, labels that are class indices, finite loss,
   * gradients and weights, and finite neuron parameters. The checks run on the device and are read
   * every `readEvery` steps and at each epoch end; a failed one stops training with stopReason
   * 'diverged' and the StepError in `error`, before onEpochEnd (so no diverged epoch is saved).
   * False skips them (see the README for what that saves).
   */
  checkSteps?: boolean;
  onEpochBegin?(epoch: number): void | Promise<void>;
  onBatchEnd?(progress: BatchProgress): void | Promise<void>;
  /** Awaited before the next epoch starts (save a checkpoint here). */
  onEpochEnd?(report: EpochReport): void | Promise<void>;
  /** Clock in milliseconds (default performance.now). */
  now?: () => number;
}

/**
 * Lets the event loop run (timers, I/O, signal handlers, a browser's rendering) between steps: a
 * loop of awaited promises alone only runs microtasks, so Ctrl-C or a Stop button would wait for
 * the epoch to end.
 */
export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => unknown };
  if (typeof g.setImmediate === 'function') return new Promise((resolve) => g.setImmediate!(resolve));
  if (typeof MessageChannel !== 'undefined') {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

async function* iterate<T>(it: AsyncIterable<T> | Iterable<T>): AsyncGenerator<T> {
  for await (const x of it) yield x;
}

/** The position of the learning-rate schedule, in (fractional) epochs. */
function scheduleEpoch(o: FitOptions, epoch: number, batch: number, batchesPerEpoch: number | undefined, elapsed: number): number {
  let at = epoch;
  if (o.scheduleBy === 'step' && batchesPerEpoch) at += Math.min(1, batch / batchesPerEpoch);
  if (o.scheduleBy === 'step' && o.maxSeconds) {
    const first = o.initialEpoch ?? 0;
    at = Math.max(at, first + (Math.min(1, elapsed / o.maxSeconds) * (o.epochs - first)));
  }
  return Math.min(at, o.epochs);
}

/**
 * Trains `trainer.network` on `data` for `options.epochs` epochs: one BPTT step per batch,
 * callbacks after each step and epoch, optional validation, monitors, time budget and abort.
 * Never reads the device synchronously: loss and accuracy are summed on the device and read
 * every `readEvery` steps with `await data()`, so it runs unchanged in browsers and on WebGPU.
 */
export async function fit(trainer: Trainer, data: BatchStream, options: FitOptions): Promise<FitResult> {
  const o = options;
  if (!Number.isInteger(o.epochs) || o.epochs < 1) throw new RangeError(`fit: epochs must be an integer >= 1, got ${o.epochs}`);
  const first = o.initialEpoch ?? 0;
  if (!Number.isInteger(first) || first < 0) throw new RangeError(`fit: initialEpoch must be an integer >= 0, got ${first}`);
  if (o.maxSeconds !== undefined && !(o.maxSeconds > 0)) throw new RangeError(`fit: maxSeconds must be > 0, got ${o.maxSeconds}`);
  if (o.monitors?.length && !o.monitorInput) throw new Error('fit: monitors need a monitorInput (a probe batch)');
  const now = o.now ?? (() => performance.now());
  const network = trainer.network;
  const start = now();
  const elapsed = () => (now() - start) / 1000;
  const readEvery = o.readEvery ?? 20;
  const reports: EpochReport[] = [];
  let steps = 0;
  let stopReason: StopReason = 'completed';
  const checks = o.checkSteps ?? true;
  /** Reads the checks of the steps so far (and the neuron parameters): a StepError when one failed. */
  const verify = async (neurons?: Record<string, Record<string, number>>) => {
    if (!checks) return;
    await trainer.verify();
    if (neurons) checkNeuronParameters(neurons, trainer.epoch + 1, trainer.step);
  };

  try {
    return await epochs();
  } catch (e) {
    if (!(e instanceof StepError)) throw e;
    return { epochs: reports, stopReason: 'diverged', error: e, seconds: elapsed() };
  }

  async function epochs(): Promise<FitResult> {
    for (let epoch = first; epoch < o.epochs; epoch++) {
      trainer.setEpoch(epoch);
      await o.onEpochBegin?.(epoch);
      const loss = new ScalarMeter(readEvery);
      const correct = new ScalarMeter(readEvery);
      const skip = epoch === first ? (o.skipBatches ?? 0) : 0;
      let batch = 0;
      let samples = 0;
      let trainedSamples = 0;
      let lr = trainer.learningRateAt(epoch);
      const t0 = now();
      try {
        for await (const { xs, ys } of iterate(data.batches(epoch))) {
          if (batch < skip) {
            batch++;
            samples += ys.shape[0];
            tf.dispose([xs, ys]);
            continue;
          }
          if (o.scheduleBy === 'step') {
            lr = trainer.learningRateAt(scheduleEpoch(o, epoch, batch, data.batchesPerEpoch, elapsed()));
            setLearningRate(trainer.optimizer, lr);
          }
          const n = ys.shape[0];
          const step = trainer.trainStep(xs, ys, { checks });
          const hit = correctCount(step.rate, ys);
          tf.dispose([xs, ys, step.rate]);
          await loss.add(step.loss);
          await correct.add(hit, n);
          batch++;
          samples += n;
          trainedSamples += n;
          steps++;
          if (steps % readEvery === 0) await verify();
          const seconds = (now() - t0) / 1000;
          await o.onBatchEnd?.({
            epoch,
            epochs: o.epochs,
            batch,
            batchesPerEpoch: data.batchesPerEpoch,
            samples,
            samplesPerEpoch: data.size,
            step: trainer.step,
            learningRate: lr,
            loss: loss.mean,
            accuracy: correct.mean,
            imagesPerSecond: seconds > 0 ? trainedSamples / seconds : 0,
            elapsedSeconds: elapsed(),
          });
          await yieldToEventLoop();
          if (o.signal?.aborted) stopReason = 'aborted';
          else if (o.maxSeconds !== undefined && elapsed() >= o.maxSeconds) stopReason = 'time';
          else if (o.maxSteps !== undefined && steps >= o.maxSteps) stopReason = 'steps';
          if (stopReason !== 'completed') break;
        }
        await loss.flush();
        await correct.flush();
      } finally {
        loss.dispose();
        correct.dispose();
      }
      const seconds = (now() - t0) / 1000;
      const report: EpochReport = {
        epoch: epoch + 1,
        complete: stopReason === 'completed',
        batches: batch,
        samples,
        learningRate: lr,
        trainLoss: loss.mean,
        trainAccuracy: correct.mean,
        seconds,
        imagesPerSecond: seconds > 0 ? trainedSamples / seconds : 0,
        neurons: await network.neuronParameters(),
      };
      await verify(report.neurons);
      if (stopReason === 'aborted') return { epochs: reports, stopReason, interrupted: report, seconds: elapsed() };
      if (o.validation) report.validation = await evaluate(network, o.validation, { lossKind: trainer.lossKind, trainedSteps: trainer.step, readEvery });
      if (o.monitors?.length) report.monitors = await runMonitors(network, o.monitorInput!, o.monitors);
      reports.push(report);
      await o.onEpochEnd?.(report);
      if (stopReason !== 'completed') break;
      if (o.signal?.aborted) {
        stopReason = 'aborted';
        break;
      }
    }
    return { epochs: reports, stopReason, seconds: elapsed() };
  }
}

export interface EvaluateOptions {
  /** Loss to report (default 'mse', the paper's). */
  lossKind?: LossKind;
  /**
   * Training steps the network has taken, to judge whether batch norm's running statistics have
   * settled. Unknown: the statistics are checked for never having moved from their start values.
   */
  trainedSteps?: number;
  readEvery?: number;
  signal?: AbortSignal;
  onBatchEnd?(samples: number, total?: number): void | Promise<void>;
}

export interface EvaluateResult {
  accuracy: number;
  loss: number;
  samples: number;
  /** E.g. batch norm running statistics that have not settled yet. */
  warnings: string[];
}

/**
 * Accuracy and loss over a stream, in evaluation mode: dropout off, and batch norm normalising with
 * its running statistics (the averages kept during training, momentum from the spec), not with the
 * batch's own statistics. Those averages need a few dozen training steps to forget their start
 * values (mean 0, variance 1); before that evaluation is poor, and a warning says so.
 */
export async function evaluate(network: Network, data: BatchStream, options: EvaluateOptions = {}): Promise<EvaluateResult> {
  const readEvery = options.readEvery ?? 20;
  const loss = new ScalarMeter(readEvery);
  const correct = new ScalarMeter(readEvery);
  let samples = 0;
  try {
    for await (const { xs, ys } of iterate(data.batches(0))) {
      const n = ys.shape[0];
      const kind = options.lossKind ?? 'mse';
      const rate = kind === 'crossEntropyMax' ? tf.tidy(() => outputReadout(kind, network.forward(xs).output)) : network.predict(xs);
      const batchLoss = rateLoss(kind, rate, ys);
      const hit = correctCount(rate, ys);
      tf.dispose([xs, ys, rate]);
      await loss.add(batchLoss, 1);
      await correct.add(hit, n);
      samples += n;
      await options.onBatchEnd?.(samples, data.size);
      if (options.signal?.aborted) break;
    }
    await loss.flush();
    await correct.flush();
  } finally {
    loss.dispose();
    correct.dispose();
  }
  return { accuracy: correct.mean, loss: loss.mean, samples, warnings: await batchNormWarnings(network, options.trainedSteps) };
}

/** Weight the start values still carry in an exponential average after `steps` updates. */
export function startWeight(momentum: number, steps: number): number {
  return Math.pow(1 - momentum, steps);
}

/**
 * Warnings about batch norm running statistics that evaluation would use before they settle:
 * the start values (mean 0, variance 1) still carry more than 5% of the average.
 */
export async function batchNormWarnings(network: Network, trainedSteps?: number): Promise<string[]> {
  const bn = network.layers.filter((l) => l.kind === 'batchNorm');
  if (bn.length === 0) return [];
  if (trainedSteps !== undefined) {
    const momentum = Math.min(...bn.map((l) => (l.spec as { momentum?: number }).momentum ?? 0.1));
    const left = startWeight(momentum, trainedSteps);
    if (left <= 0.05) return [];
    const needed = Math.ceil(Math.log(0.05) / Math.log(1 - momentum));
    return [
      `batch norm: evaluation uses running statistics that have seen ${trainedSteps} training steps; their start values still weigh ${(100 * left).toFixed(0)}% (momentum ${momentum}); train at least ${needed} steps for a meaningful accuracy`,
    ];
  }
  const warnings: string[] = [];
  for (const layer of bn) {
    const mean = layer.variables.find((v) => v.name.endsWith('/movingMean'));
    const variance = layer.variables.find((v) => v.name.endsWith('/movingVariance'));
    if (!mean || !variance) continue;
    const [m, v] = await Promise.all([mean.variable.data(), variance.variable.data()]);
    if (m.every((x) => x === 0) && v.every((x) => x === 1)) {
      warnings.push(`batch norm: ${layer.name}'s running statistics are still their start values (never trained); evaluation normalises with mean 0, variance 1`);
    }
  }
  return warnings;
}
