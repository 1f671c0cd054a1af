import { mkdir, writeFile } from 'node:fs/promises';
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
  type EpochReport,
  type Network,
  type StopReason,
} from '@spikeflow/core';
import { probeBatch, streamOf, type Split } from './data.js';
import { readMetrics, toRecord, writeMetrics, type MetricsRecord } from './metrics.js';
import type { Preset } from './presets.js';
import { noProgress, type ProgressSink } from './progress.js';

export type EpochRecord = MetricsRecord;

export interface RunOptions {
  preset: Preset;
  train: Split;
  test: Split;
  /** Folder for checkpoints (last + best), metrics.jsonl and model.json; none = nothing saved. */
  out?: string;
  /** Checkpoint folder to resume from. */
  resume?: string;
  /** Stop after this many training steps (smoke runs and benchmarks). */
  maxSteps?: number;
  /** Stop training after this many minutes (validation included); overrides the preset's. */
  maxMinutes?: number;
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
}

/** The period of the cosine schedule: the preset's tMax when set, else the number of epochs. */
export function scheduleOf(preset: Preset) {
  return preset.schedule ? { ...preset.schedule, tMax: preset.schedule.tMax ?? preset.epochs } : undefined;
}

const tauLine = (tau: Record<string, number>) => Object.entries(tau).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ');

export function formatEpoch(r: MetricsRecord, epochs: number): string {
  const cut = r.complete ? '' : ` (cut short after ${r.samples} samples)`;
  return (
    `epoch ${r.epoch}/${epochs}  loss ${r.trainLoss.toFixed(4)}  train acc ${(100 * r.trainAccuracy).toFixed(2)}%  ` +
    `test acc ${(100 * r.testAccuracy).toFixed(2)}%  ${r.imagesPerSecond.toFixed(1)} img/s  ${r.elapsedMinutes.toFixed(1)} min  tau: ${tauLine(r.tau)}${cut}`
  );
}

/**
 * Saves what an epoch produced, in one place: the checkpoints (last, and best when it is the best
 * test accuracy so far), then metrics.jsonl (rewritten whole, atomically), then model.json.
 */
async function commitEpoch(out: string, network: Network, trainer: Trainer, records: MetricsRecord[], best: boolean): Promise<void> {
  const record = records[records.length - 1];
  const extra = { report: { epoch: record.epoch, testAccuracy: record.testAccuracy, complete: record.complete } };
  await saveCheckpoint(network, `file://${join(out, 'last')}`, { trainer, extra });
  if (best) await saveCheckpoint(network, `file://${join(out, 'best')}`, { trainer, extra });
  await writeMetrics(out, records);
  await writeFile(join(out, 'model.json'), JSON.stringify(network.spec, null, 2));
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
  if (o.resume) {
    const ckpt = await loadCheckpoint(`file://${o.resume}`);
    network = ckpt.network;
    trainer = new Trainer(network, trainerOptions);
    await ckpt.restoreTrainer(trainer);
    const partial = ckpt.meta.extra?.partial as PartialEpoch | undefined;
    initialEpoch = partial ? partial.epoch : ckpt.meta.epoch + 1;
    skipBatches = partial ? partial.batches : 0;
    log(`resumed from ${o.resume}: ${partial ? `epoch ${partial.epoch + 1} after ${partial.batches} batches` : `epoch ${ckpt.meta.epoch + 1} done`}, step ${ckpt.meta.step}`);
  } else {
    network = build(preset.model, { seed: preset.seed });
    trainer = new Trainer(network, trainerOptions);
  }
  await o.onStart?.(network, { epoch: initialEpoch, batches: skipBatches });
  if (o.out) await mkdir(o.out, { recursive: true });
  // Earlier epochs' lines survive a resume; lines of epochs about to be redone are dropped.
  const records = o.out && o.resume ? (await readMetrics(o.out)).filter((r) => r.epoch <= initialEpoch) : [];
  let best = Math.max(-1, ...records.map((r) => r.testAccuracy ?? -1));
  const maxMinutes = o.maxMinutes ?? preset.maxMinutes;
  const evalBatch = Math.max(preset.batchSize, 64);
  const probe = await probeBatch(o.test, 8);
  const started = performance.now();
  let result;
  try {
    result = await fit(trainer, streamOf(o.train, preset.batchSize, true), {
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
      onEpochEnd: async (report: EpochReport) => {
        progress.pause();
        const record = toRecord(report, (performance.now() - started) / 60000);
        records.push(record);
        log(formatEpoch(record, preset.epochs));
        for (const w of record.warnings ?? []) log(`  warning: ${w}`);
        if (o.out) {
          const isBest = record.testAccuracy > best;
          if (isBest) best = record.testAccuracy;
          await commitEpoch(o.out, network, trainer, records, isBest);
        }
      },
    });
  } finally {
    progress.stop();
    probe.dispose();
  }
  let interruptedCheckpoint: string | undefined;
  if (result.stopReason === 'aborted' && result.interrupted) {
    const r = result.interrupted;
    log(`interrupted in epoch ${r.epoch}/${preset.epochs} after ${r.batches} batches (${r.samples} samples)`);
    if (o.out) {
      interruptedCheckpoint = join(o.out, 'last');
      const partial: PartialEpoch = { epoch: r.epoch - 1, batches: r.batches };
      await saveCheckpoint(network, `file://${interruptedCheckpoint}`, { trainer, extra: { partial } });
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

