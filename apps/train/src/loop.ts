import { mkdir, writeFile, appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { build, correctCount, loadCheckpoint, saveCheckpoint, Trainer, type Network } from '@spikeflow/core';
import type { Split } from './data.js';
import type { Preset } from './presets.js';

export interface EpochReport {
  epoch: number;
  learningRate: number;
  trainLoss: number;
  trainAccuracy: number;
  testAccuracy: number;
  imagesPerSecond: number;
  seconds: number;
  tau: Record<string, number>;
}

export interface RunOptions {
  preset: Preset;
  train: Split;
  test: Split;
  /** Folder for checkpoints (last + best) and the metrics log; none = no saving. */
  out?: string;
  /** Checkpoint folder to resume from. */
  resume?: string;
  /** Stop after this many training steps (for smoke runs and benchmarks); 0 = no limit. */
  maxSteps?: number;
  log: (line: string) => void;
}

/** Reads accumulated scalar tensors now and then, so the loop never waits on the device each step. */
class Meter {
  private pending: tf.Scalar[] = [];
  sum = 0;
  async add(t: tf.Scalar, flushEvery = 20): Promise<void> {
    this.pending.push(t);
    if (this.pending.length >= flushEvery) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const total = tf.tidy(() => tf.addN(this.pending.map((p) => p.toFloat())));
    this.sum += (await total.data())[0];
    tf.dispose([total, ...this.pending]);
    this.pending = [];
  }
}

export async function evaluate(network: Network, split: Split, batchSize: number): Promise<number> {
  const correct = new Meter();
  for await (const { xs, ys } of split.batches(batchSize, 0, false)) {
    const rate = network.predict(xs);
    await correct.add(correctCount(rate, ys));
    tf.dispose([xs, ys, rate]);
  }
  await correct.flush();
  return correct.sum / split.count;
}

function tauOf(params: Record<string, Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(params).filter(([, p]) => p.tau !== undefined).map(([k, p]) => [k, p.tau]));
}

/** Trains a preset epoch by epoch: prints a line per epoch, checkpoints atomically, returns the reports. */
export async function run(o: RunOptions): Promise<EpochReport[]> {
  const { preset, log } = o;
  let network: Network;
  let startEpoch = 0;
  let trainer: Trainer;
  const trainerOptions = { optimizer: preset.optimizer, schedule: preset.schedule, loss: preset.loss };
  if (o.resume) {
    const ckpt = await loadCheckpoint(`file://${o.resume}`);
    network = ckpt.network;
    trainer = new Trainer(network, trainerOptions);
    await ckpt.restoreTrainer(trainer);
    startEpoch = ckpt.meta.epoch + 1;
    log(`resumed from ${o.resume}: epoch ${ckpt.meta.epoch + 1} done, step ${ckpt.meta.step}`);
  } else {
    network = build(preset.model, { seed: preset.seed });
    trainer = new Trainer(network, trainerOptions);
  }
  if (o.out) await mkdir(o.out, { recursive: true });
  const reports: EpochReport[] = [];
  let best = -1;
  let steps = 0;
  for (let epoch = startEpoch; epoch < preset.epochs; epoch++) {
    trainer.setEpoch(epoch);
    const loss = new Meter();
    const correct = new Meter();
    let seen = 0;
    const t0 = performance.now();
    for await (const { xs, ys } of o.train.batches(preset.batchSize, epoch, true)) {
      const step = trainer.trainStep(xs, ys);
      await loss.add(step.loss);
      await correct.add(correctCount(step.rate, ys));
      seen += xs.shape[0];
      tf.dispose([xs, ys, step.rate]);
      if (o.maxSteps && ++steps >= o.maxSteps) break;
    }
    await loss.flush();
    await correct.flush();
    const seconds = (performance.now() - t0) / 1000;
    const testAccuracy = await evaluate(network, o.test, Math.max(preset.batchSize, 64));
    const report: EpochReport = {
      epoch: epoch + 1,
      learningRate: trainer.learningRateAt(epoch),
      trainLoss: loss.sum / Math.max(1, Math.ceil(seen / preset.batchSize)),
      trainAccuracy: correct.sum / Math.max(1, seen),
      testAccuracy,
      imagesPerSecond: seen / seconds,
      seconds,
      tau: tauOf(await network.neuronParameters()),
    };
    reports.push(report);
    const tau = Object.entries(report.tau).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ');
    log(
      `epoch ${report.epoch}/${preset.epochs}  loss ${report.trainLoss.toFixed(4)}  train acc ${(100 * report.trainAccuracy).toFixed(2)}%  ` +
        `test acc ${(100 * testAccuracy).toFixed(2)}%  ${report.imagesPerSecond.toFixed(1)} img/s  tau: ${tau}`,
    );
    if (o.out) {
      await saveCheckpoint(network, `file://${join(o.out, 'last')}`, { trainer, extra: { report } });
      if (testAccuracy > best) {
        best = testAccuracy;
        await saveCheckpoint(network, `file://${join(o.out, 'best')}`, { trainer, extra: { report } });
      }
      await appendFile(join(o.out, 'metrics.jsonl'), JSON.stringify(report) + '\n');
      await writeFile(join(o.out, 'model.json'), JSON.stringify(network.spec, null, 2));
    }
    if (o.maxSteps && steps >= o.maxSteps) break;
  }
  trainer.dispose();
  network.dispose();
  return reports;
}
