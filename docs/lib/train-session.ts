// The training demo's loop: a small PLIF CSNN trained on the page's Fashion-MNIST subset with
// @spikeflow/core's fit (the command line's loop), reporting loss, accuracy, images/s and the
// learned tau, evaluating on held-out images and recording one of them every few steps.
// Start, pause (fit's abort signal) and reset come from the page; a paused run resumes where it was.
import * as tf from '@tensorflow/tfjs';
import { build, correctCount, fit, Trainer, type BatchStream, type LossKind, type Network } from '@spikeflow/core';
import { imageBatches, type ImageSet } from '@spikeflow/datasets';
import type { ModelSpec } from '@spikeflow/spec';
import { sampleActivity, type LayerActivity } from './activity.js';

export interface TrainDemoOptions {
  /** Channels of both convolutions. */
  channels: number;
  /** Units of the hidden dense layer. */
  hidden: number;
  timeSteps: number;
  batchSize: number;
  learningRate: number;
  loss: LossKind;
  /** Held-out images evaluated every `evalEvery` steps. */
  evalCount: number;
  evalEvery: number;
  /** Progress (loss, accuracy, images/s) is read from the device every `reportEvery` steps. */
  reportEvery: number;
  seed: number;
}

export const TRAIN_DEMO_DEFAULTS: TrainDemoOptions = {
  channels: 8,
  hidden: 100,
  timeSteps: 4,
  batchSize: 16,
  learningRate: 5e-3,
  loss: 'mse',
  evalCount: 300,
  evalEvery: 10,
  reportEvery: 5,
  seed: 2020,
};

/** The paper's Fashion-MNIST network, narrowed so it trains in a browser tab. */
export function trainDemoModel(o: Pick<TrainDemoOptions, 'channels' | 'hidden' | 'timeSteps'>): ModelSpec {
  const plif = { kind: 'neuron', neuron: 'plif', initTau: 2, detachReset: true, surrogate: { kind: 'atan', alpha: 2 } } as const;
  return {
    name: 'plif-fashion-mnist-browser',
    input: { shape: [28, 28, 1] },
    timeSteps: o.timeSteps,
    encoder: { kind: 'direct' },
    layers: [
      { kind: 'conv2d', filters: o.channels, kernelSize: 3, padding: 'same', useBias: false },
      { kind: 'batchNorm' },
      { ...plif },
      { kind: 'pool', pool: 'max', size: 2 },
      { kind: 'conv2d', filters: o.channels, kernelSize: 3, padding: 'same', useBias: false },
      { kind: 'batchNorm' },
      { ...plif },
      { kind: 'pool', pool: 'max', size: 2 },
      { kind: 'flatten' },
      { kind: 'dense', units: o.hidden, useBias: false },
      { ...plif },
      { kind: 'voting', groups: 10 },
    ],
  };
}

export interface TrainProgress {
  step: number;
  epoch: number;
  /** Running means of loss and accuracy over the current epoch's batches. */
  loss: number;
  trainAccuracy: number;
  /** Training images per second over the steps since the last report (evaluation excluded). */
  imagesPerSecond: number;
}

export interface EvalReport {
  step: number;
  /** Accuracy on `evalCount` held-out test images. */
  testAccuracy: number;
  /** Learned membrane time constant of every PLIF layer. */
  tau: Record<string, number>;
  /** Activity of the network on one held-out image (a different one each time). */
  sample: { layers: LayerActivity[]; index: number; label: number };
}

export interface TrainSessionEvents {
  progress?: (p: TrainProgress) => void;
  evaluation?: (e: EvalReport) => void;
}

export class TrainSession {
  readonly options: TrainDemoOptions;
  network: Network;
  private trainer: Trainer;
  private abort?: AbortController;
  private loop?: Promise<void>;
  step = 0;
  epoch = 0;
  /** Batches of the current epoch already trained (fit skips them on resume). */
  private batchInEpoch = 0;

  constructor(
    private readonly train: ImageSet,
    private readonly test: ImageSet,
    private readonly events: TrainSessionEvents = {},
    options: Partial<TrainDemoOptions> = {},
  ) {
    this.options = { ...TRAIN_DEMO_DEFAULTS, ...options };
    if (this.options.evalCount > test.count) throw new Error(`TrainSession: evalCount ${this.options.evalCount} exceeds the ${test.count} test images`);
    this.network = build(trainDemoModel(this.options), { seed: this.options.seed });
    this.trainer = this.makeTrainer();
  }

  private makeTrainer(): Trainer {
    return new Trainer(this.network, { optimizer: { kind: 'adam', learningRate: this.options.learningRate }, loss: this.options.loss });
  }

  get isRunning(): boolean {
    return this.loop !== undefined;
  }

  /** Starts (or resumes) training; resolves when paused or reset. */
  start(): Promise<void> {
    this.loop ??= this.runLoop().finally(() => {
      this.loop = undefined;
    });
    return this.loop;
  }

  /** Stops after the current step. */
  async pause(): Promise<void> {
    this.abort?.abort();
    await this.loop;
  }

  /** Pauses and starts over from fresh weights. */
  async reset(): Promise<void> {
    await this.pause();
    this.dispose();
    this.network = build(trainDemoModel(this.options), { seed: this.options.seed });
    this.trainer = this.makeTrainer();
    this.step = 0;
    this.epoch = 0;
    this.batchInEpoch = 0;
  }

  dispose(): void {
    this.trainer.dispose();
    this.network.dispose();
  }

  /** The training subset as fit takes it: a fresh shuffle every epoch. */
  private trainStream(): BatchStream {
    const o = this.options;
    return {
      size: this.train.count,
      batchesPerEpoch: Math.floor(this.train.count / o.batchSize),
      batches: (epoch) => imageBatches(this.train, { batchSize: o.batchSize, seed: o.seed, epoch, shuffle: true, dropLast: true }),
    };
  }

  private async runLoop(): Promise<void> {
    const o = this.options;
    const abort = new AbortController();
    this.abort = abort;
    // Images/s of the training steps alone: the time spent evaluating is left out.
    let windowStart = performance.now();
    let windowSamples = 0;
    const result = await fit(this.trainer, this.trainStream(), {
      epochs: Number.MAX_SAFE_INTEGER,
      initialEpoch: this.epoch,
      skipBatches: this.batchInEpoch,
      readEvery: o.reportEvery,
      signal: abort.signal,
      onBatchEnd: async (p) => {
        windowSamples += o.batchSize; // dropLast: every batch is full
        this.step = p.step;
        this.epoch = p.epoch;
        this.batchInEpoch = p.batch;
        if (p.step % o.reportEvery === 0) {
          const seconds = (performance.now() - windowStart) / 1000;
          this.events.progress?.({ step: p.step, epoch: p.epoch, loss: p.loss, trainAccuracy: p.accuracy, imagesPerSecond: windowSamples / seconds });
          windowSamples = 0;
        }
        if (p.step % o.evalEvery === 0) this.events.evaluation?.(await this.evaluate());
        if (p.step % o.reportEvery === 0) windowStart = performance.now();
      },
      onEpochBegin: (epoch) => {
        if (epoch !== this.epoch) this.batchInEpoch = 0;
      },
    });
    this.abort = undefined;
    // A diverged step (e.g. too high a learning rate) ends the run with the step named.
    if (result.stopReason === 'diverged') throw result.error!;
  }

  /**
   * Accuracy on the held-out images, the learned tau, and one held-out image's spikes. (Not core's
   * evaluate() and runMonitors: on Chromium's software WebGPU they measured minutes per call here,
   * against seconds for this direct loop; see the docs' benchmarks page.)
   */
  async evaluate(): Promise<EvalReport> {
    const o = this.options;
    let correct = 0;
    const size = this.test.height * this.test.width;
    for (let start = 0; start < o.evalCount; start += 100) {
      const n = Math.min(100, o.evalCount - start);
      const count = tf.tidy(() => {
        const xs = tf.tensor4d(this.test.images.subarray(start * size, (start + n) * size), [n, this.test.height, this.test.width, 1], 'int32').toFloat().div(255);
        const ys = tf.tensor1d(this.test.labels.subarray(start, start + n), 'int32');
        return correctCount(this.network.predict(xs), ys);
      });
      correct += (await count.data())[0];
      count.dispose();
    }
    const params = await this.network.neuronParameters();
    const tau = Object.fromEntries(Object.entries(params).filter(([, p]) => p.tau !== undefined).map(([k, p]) => [k, p.tau]));
    const index = Math.floor(this.step / o.evalEvery) % this.test.count;
    const x = tf.tidy(() => tf.tensor4d(this.test.images.subarray(index * size, (index + 1) * size), [1, this.test.height, this.test.width, 1], 'int32').toFloat().div(255));
    const { layers } = await sampleActivity(this.network, x);
    x.dispose();
    return { step: this.step, testAccuracy: correct / o.evalCount, tau, sample: { layers, index, label: this.test.labels[index] } };
  }
}
