// The training demo's loop: a small PLIF CSNN trained step by step on the page's Fashion-MNIST
// subset with @spikeflow/core's Trainer, reporting loss, accuracy, images/s and the learned tau,
// and evaluating on held-out images now and then. Start, pause and reset come from the page.
import * as tf from '@tensorflow/tfjs';
import { build, correctCount, Trainer, type LossKind, type Network } from '@spikeflow/core';
import { imageBatches, type Batch, type ImageSet } from '@spikeflow/datasets';
import type { ModelSpec } from '@spikeflow/spec';
import { sampleActivity, type SampleActivity } from './activity.js';

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
  /** Mean loss and accuracy of the training batches since the last report. */
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
  sample: SampleActivity & { index: number; label: number };
}

export interface TrainSessionEvents {
  progress?: (p: TrainProgress) => void;
  evaluation?: (e: EvalReport) => void;
}

export class TrainSession {
  readonly options: TrainDemoOptions;
  network: Network;
  private trainer: Trainer;
  private batches?: AsyncGenerator<Batch>;
  private running = false;
  private loop?: Promise<void>;
  step = 0;
  epoch = 0;

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
    return this.running;
  }

  /** Starts (or resumes) training; resolves when paused or reset. */
  start(): Promise<void> {
    if (!this.loop) {
      this.running = true;
      this.loop = this.runLoop().finally(() => {
        this.running = false;
        this.loop = undefined;
      });
    }
    return this.loop;
  }

  /** Stops after the current step. */
  async pause(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Pauses and starts over from fresh weights. */
  async reset(): Promise<void> {
    await this.pause();
    await this.batches?.return(undefined);
    this.batches = undefined;
    this.dispose();
    this.network = build(trainDemoModel(this.options), { seed: this.options.seed });
    this.trainer = this.makeTrainer();
    this.step = 0;
    this.epoch = 0;
  }

  dispose(): void {
    this.trainer.dispose();
    this.network.dispose();
  }

  private async nextBatch(): Promise<Batch> {
    for (;;) {
      this.batches ??= imageBatches(this.train, { batchSize: this.options.batchSize, seed: this.options.seed, epoch: this.epoch, shuffle: true, dropLast: true });
      const next = await this.batches.next();
      if (!next.done) return next.value;
      this.batches = undefined;
      this.epoch++;
    }
  }

  private async runLoop(): Promise<void> {
    const o = this.options;
    let losses: tf.Scalar[] = [];
    let corrects: tf.Tensor[] = [];
    let seen = 0;
    let t0 = performance.now();
    while (this.running) {
      const { xs, ys } = await this.nextBatch();
      const { loss, rate } = this.trainer.trainStep(xs, ys);
      corrects.push(correctCount(rate, ys));
      losses.push(loss);
      seen += xs.shape[0];
      tf.dispose([xs, ys, rate]);
      this.step++;
      if (this.step % o.reportEvery === 0 || !this.running) {
        const [lossSum, correctSum] = await Promise.all([sum(losses), sum(corrects)]);
        const seconds = (performance.now() - t0) / 1000;
        this.events.progress?.({ step: this.step, epoch: this.epoch, loss: lossSum / losses.length, trainAccuracy: correctSum / seen, imagesPerSecond: seen / seconds });
        losses = [];
        corrects = [];
        seen = 0;
      }
      if (this.step % o.evalEvery === 0) {
        this.events.evaluation?.(await this.evaluate());
      }
      // Let the page draw between steps.
      await new Promise((r) => setTimeout(r, 0));
      if (seen === 0) t0 = performance.now();
    }
    if (losses.length > 0) tf.dispose([...losses, ...corrects]);
  }

  /** Accuracy on the held-out images, the learned tau, and one held-out sample's activity. */
  async evaluate(): Promise<EvalReport> {
    const o = this.options;
    let correct = 0;
    const size = this.test.height * this.test.width;
    for (let start = 0; start < o.evalCount; start += 100) {
      const n = Math.min(100, o.evalCount - start);
      const count = tf.tidy(() => {
        const xs = tf.tensor4d(this.test.images.subarray(start * size, (start + n) * size), [n, 28, 28, 1], 'int32').toFloat().div(255);
        const ys = tf.tensor1d(this.test.labels.subarray(start, start + n), 'int32');
        return correctCount(this.network.predict(xs), ys);
      });
      correct += (await count.data())[0];
      count.dispose();
    }
    const params = await this.network.neuronParameters();
    const tau = Object.fromEntries(Object.entries(params).filter(([, p]) => p.tau !== undefined).map(([k, p]) => [k, p.tau]));
    const index = Math.floor(this.step / o.evalEvery) % this.test.count;
    const x = tf.tidy(() => tf.tensor4d(this.test.images.subarray(index * size, (index + 1) * size), [1, 28, 28, 1], 'int32').toFloat().div(255));
    const activity = await sampleActivity(this.network, x);
    x.dispose();
    return { step: this.step, testAccuracy: correct / o.evalCount, tau, sample: { ...activity, index, label: this.test.labels[index] } };
  }
}

async function sum(ts: tf.Tensor[]): Promise<number> {
  if (ts.length === 0) return 0;
  const total = tf.tidy(() => tf.addN(ts.map((t) => t.toFloat())));
  const value = (await total.data())[0];
  tf.dispose([total, ...ts]);
  return value;
}
