import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  build,
  evaluate as evaluateStream,
  firingRateMonitor,
  fit,
  loadCheckpoint,
  membraneMonitor,
  saveCheckpoint,
  spikeRasterMonitor,
  Trainer,
  type BatchStream,
  type EpochReport,
  type Network,
  type StopReason,
} from '@spikeflow/core';
import { UsageError } from './flags.js';
import { resumeConflicts } from './resume-check.js';
import { probeBatch, streamOf, type Split } from './data.js';
import { readMetrics, toRecord, writeMetrics, type MetricsRecord } from './metrics.js';
import type { Preset } from './presets.js';
import { noProgress, type ProgressSink } from './progress.js';
import { writeFileAtomic } from './write-file.js';

export type EpochRecord = MetricsRecord;

export interface RunOptions {
  preset: Preset;
  train: Split;
  test: Split;
  /** Folder for checkpoints (last + best), metrics.jsonl and model.json; none = nothing saved. */
  out?: string;
  /** Checkpoint folder to resume from. */
  resume?: string;
  /** For a resume: the flags given (without dashes) and the preset's name, to name a contradicting flag. */
  resumeRequest?: { given: readonly string[]; presetName: string };
  /** Stop after this many training steps (smoke runs and benchmarks). */
  maxSteps?: number;
  /** Stop training after this many minutes (validation included); overrides the preset's. */
  maxMinutes?: number;
  /**
   * Memory-lean BPTT: neuron layers keep their state every this many steps and recompute the rest
   * in the backward pass (Network.checkpointEvery; 0 or none: every step). Not part of the model, so
   * a resumed run may change it.
   */
  checkpointEvery?: number;
  /** Stops training after the current step; the epoch so far is checkpointed. */
  signal?: AbortSignal;
  progress?: ProgressSink;
  log: (line: string) => void;
  /** Called once the network is built (or loaded), before training: e.g. to print its summary. */
  onStart?(network: Network, from: { epoch: number; batches: number }): void | Promise<void>;
}

export interface RunResult {
  records: MetricsRecord[];
  stopReason: StopReason;
  /** Where the checkpoint of an interrupted epoch went. */
  interruptedCheckpoint?: string;
}

/** A checkpoint saved mid-epoch (Ctrl-C): resume skips the batches of that epoch already trained. */
export interface PartialEpoch {
  epoch: number;
  batches: number;
  /** Samples trained in the epoch and the batch size they came in (absent in older checkpoints). */
  samples?: number;
  batchSize?: number;
}

/**
 * The training stream of a resumed run: the epoch a mid-epoch checkpoint interrupted finishes at
 * the batch size it started with, so exactly its untrained samples follow (the epoch's sample
 * order does not depend on the batch size); later epochs use `batchSize`.
 */
function resumedStream(split: Split, batchSize: number, resumedEpoch: number, resumedBatchSize: number): BatchStream {
  const fresh = streamOf(split, batchSize, true);
  if (resumedBatchSize === batchSize) return fresh;
  const finishing = streamOf(split, resumedBatchSize, true);
  let current = resumedEpoch;
  return {
    size: split.count,
    // fit reads it during an epoch (progress, a per-step schedule): the current epoch's count.
    get batchesPerEpoch() {
      return (current === resumedEpoch ? finishing : fresh).batchesPerEpoch;
    },
    batches(epoch) {
      current = epoch;
      return (epoch === resumedEpoch ? finishing : fresh).batches(epoch);
    },
  };
}

/** The period of the cosine schedule: the preset's tMax when set, else the number of epochs. */
export function scheduleOf(preset: Preset) {
  return preset.schedule ? { ...preset.schedule, tMax: preset.schedule.tMax ?? preset.epochs } : undefined;
}

/** Steps between reads of the loss, accuracy and fit's step checks (one device read each). */
const READ_EVERY = 20;

const tauLine = (tau: Record<string, number>) => Object.entries(tau).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ');

export function formatEpoch(r: MetricsRecord, epochs: number): string {
  const cut = r.complete ? '' : ` (cut short after ${r.samples} samples)`;
  return (
    `epoch ${r.epoch}/${epochs}  loss ${r.trainLoss.toFixed(4)}  train acc ${(100 * r.trainAccuracy).toFixed(2)}%  ` +
    `test acc ${(100 * r.testAccuracy).toFixed(2)}%  ${r.imagesPerSecond.toFixed(1)} img/s  ${r.elapsedMinutes.toFixed(1)} min  tau: ${tauLine(r.tau)}${cut}`
  );
}

/**
 * Saves what an epoch produced, in an order a kill at any instant cannot split: metrics.jsonl first
 * (rewritten whole, atomically), then best (when this epoch is strictly better), then last. Each
 * checkpoint records how many metrics lines it accounts for and the best score; a resume truncates
 * metrics.jsonl to last's count, so an epoch whose line was written but whose checkpoint was not is
 * redone and appears once.
 */
async function commitEpoch(out: string, network: Network, trainer: Trainer, records: MetricsRecord[], best: number, isBest: boolean): Promise<void> {
  const record = records[records.length - 1];
  const extra = { report: { epoch: record.epoch, testAccuracy: record.testAccuracy, complete: record.complete } };
  const commit = { trainer, extra, bestScore: best, metricsLines: records.length };
  await writeMetrics(out, records);
  if (isBest) await saveCheckpoint(network, `file://${join(out, 'best')}`, commit);
  await saveCheckpoint(network, `file://${join(out, 'last')}`, commit);
  await writeFileAtomic(join(out, 'model.json'), JSON.stringify(network.spec, null, 2));
}

/** Trains a preset with core's fit: progress, per-epoch test accuracy and monitors, checkpoints. */
export async function run(o: RunOptions): Promise<RunResult> {
  const { preset, log } = o;
  const progress = o.progress ?? noProgress;
  const trainerOptions = { optimizer: preset.optimizer, schedule: scheduleOf(preset), loss: preset.loss };
  let network: Network;
  let trainer: Trainer;
  let initialEpoch = 0;
  let skipBatches = 0;
  let resumedBatchSize = preset.batchSize;
  let resumed: { metricsLines?: number; bestScore?: number | null } | undefined;
  if (o.resume) {
    const ckpt = await loadCheckpoint(`file://${o.resume}`);
    if (o.resumeRequest) {
      const conflicts = resumeConflicts({ model: preset.model, seed: preset.seed, ...o.resumeRequest }, { spec: ckpt.spec, seed: ckpt.meta.seed });
      if (conflicts.length > 0) {
        ckpt.network.dispose();
        throw new UsageError(`--resume ${o.resume}: a resumed run keeps its checkpoint's model and seed, but ${conflicts.join('; ')}. Drop the flag (or give the one the run started with), or start a new run with --out`);
      }
    }
    resumed = { metricsLines: ckpt.meta.metricsLines, bestScore: ckpt.meta.bestScore };
    network = ckpt.network;
    trainer = new Trainer(network, trainerOptions);
    await ckpt.restoreTrainer(trainer);
    const partial = ckpt.meta.extra?.partial as PartialEpoch | undefined;
    initialEpoch = partial ? partial.epoch : ckpt.meta.epoch + 1;
    skipBatches = partial ? partial.batches : 0;
    if (partial?.batchSize !== undefined && partial.batchSize !== preset.batchSize) {
      resumedBatchSize = partial.batchSize;
      log(`the checkpoint was saved mid-epoch at batch size ${partial.batchSize}: epoch ${partial.epoch + 1} finishes at that size (its ${partial.samples ?? partial.batches * partial.batchSize} trained samples are skipped, none twice), then batch size ${preset.batchSize}`);
    }
    log(`resumed from ${o.resume}: ${partial ? `epoch ${partial.epoch + 1} after ${partial.batches} batches` : `epoch ${ckpt.meta.epoch + 1} done`}, step ${ckpt.meta.step}`);
  } else {
    network = build(preset.model, { seed: preset.seed });
    trainer = new Trainer(network, trainerOptions);
  }
  network.checkpointEvery = o.checkpointEvery ?? 0;
  await o.onStart?.(network, { epoch: initialEpoch, batches: skipBatches });
  if (o.out) await mkdir(o.out, { recursive: true });
  // The lines the checkpoint accounts for survive a resume; lines written after it (an epoch whose
  // checkpoint a kill prevented) are dropped and that epoch is redone.
  const previous = o.out && o.resume ? await readMetrics(o.out) : [];
  const records = resumed?.metricsLines !== undefined ? previous.slice(0, resumed.metricsLines) : previous.filter((r) => r.epoch <= initialEpoch);
  if (o.out && previous.length > records.length) {
    log(`metrics.jsonl: dropped ${previous.length - records.length} line(s) written after ${o.resume} was saved (their epochs run again)`);
    await writeMetrics(o.out, records);
  }
  // Best is only replaced by a strictly better epoch, so a resume must know the score to beat.
  let best = resumed?.bestScore ?? Math.max(-1, ...records.map((r) => r.testAccuracy ?? -1));
  const maxMinutes = o.maxMinutes ?? preset.maxMinutes;
  const evalBatch = Math.max(preset.batchSize, 64);
  const probe = await probeBatch(o.test, 8);
  const started = performance.now();
  let result;
  try {
    result = await fit(trainer, resumedStream(o.train, preset.batchSize, initialEpoch, resumedBatchSize), {
      epochs: preset.epochs,
      initialEpoch,
      skipBatches,
      validation: streamOf(o.test, evalBatch, false),
      monitors: [firingRateMonitor(), spikeRasterMonitor({ maxNeurons: 48 }), membraneMonitor({ maxNeurons: 4 })],
      monitorInput: probe,
      scheduleBy: preset.scheduleBy,
      maxSeconds: maxMinutes !== undefined ? maxMinutes * 60 : undefined,
      maxSteps: o.maxSteps,
      signal: o.signal,
      onBatchEnd: (p) => progress.batch(p),
      readEvery: READ_EVERY,
      onEpochEnd: async (report: EpochReport) => {
        progress.pause();
        const record = toRecord(report, (performance.now() - started) / 60000);
        records.push(record);
        log(formatEpoch(record, preset.epochs));
        for (const w of record.warnings ?? []) log(`  warning: ${w}`);
        if (o.out) {
          const isBest = record.testAccuracy > best;
          if (isBest) best = record.testAccuracy;
          await commitEpoch(o.out, network, trainer, records, best, isBest);
        }
      },
    });
  } finally {
    progress.stop();
    probe.dispose();
  }
  // fit checked every step (read every READ_EVERY steps and at each epoch end): a diverged run
  // stops before its epoch is saved, so last and best keep the last good one.
  if (result.stopReason === 'diverged') throw result.error!;
  let interruptedCheckpoint: string | undefined;
  if (result.stopReason === 'aborted' && result.interrupted) {
    const r = result.interrupted;
    log(`interrupted in epoch ${r.epoch}/${preset.epochs} after ${r.batches} batches (${r.samples} samples)`);
    if (o.out) {
      interruptedCheckpoint = join(o.out, 'last');
      const partial: PartialEpoch = { epoch: r.epoch - 1, batches: r.batches, samples: r.samples, batchSize: r.epoch - 1 === initialEpoch ? resumedBatchSize : preset.batchSize };
      await saveCheckpoint(network, `file://${interruptedCheckpoint}`, { trainer, extra: { partial }, bestScore: best, metricsLines: records.length });
      log(`saved the epoch so far to ${interruptedCheckpoint}; continue with --resume ${interruptedCheckpoint}`);
    }
  }
  trainer.dispose();
  network.dispose();
  return { records, stopReason: result.stopReason, interruptedCheckpoint };
}

/** Test accuracy of a network over a split (evaluation mode). */
export async function evaluate(network: Network, split: Split, batchSize: number): Promise<number> {
  const r = await evaluateStream(network, streamOf(split, batchSize, false));
  return r.accuracy;
}

