import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EpochReport, MembraneTrace, Raster } from '@spikeflow/core';
import { checkMetricsLine } from './metrics-check.js';
import { writeFileAtomic } from './write-file.js';

/** One line of metrics.jsonl: what an epoch of training gave. */
export interface MetricsRecord {
  /** 1-based epoch. */
  epoch: number;
  /** False for an epoch cut short by --max-minutes or --max-steps. */
  complete: boolean;
  samples: number;
  learningRate: number;
  trainLoss: number;
  trainAccuracy: number;
  testAccuracy: number;
  testLoss: number;
  /** Training throughput and seconds of this epoch (test excluded); minutes since the run started. */
  imagesPerSecond: number;
  seconds: number;
  elapsedMinutes: number;
  /** Learned membrane time constant per neuron layer. */
  tau: Record<string, number>;
  /** Mean firing rate per neuron layer on the probe batch (test samples). */
  firingRate: Record<string, number>;
  /** Spike raster and membrane traces of the first probe sample. */
  raster?: Record<string, Raster>;
  membrane?: Record<string, MembraneTrace>;
  warnings?: string[];
  time: string;
}

export const METRICS_FILE = 'metrics.jsonl';

export function toRecord(r: EpochReport, elapsedMinutes: number): MetricsRecord {
  const monitors = (r.monitors ?? {}) as { firingRate?: Record<string, number>; raster?: Record<string, Raster>; membrane?: Record<string, MembraneTrace> };
  const tau = Object.fromEntries(Object.entries(r.neurons).filter(([, p]) => p.tau !== undefined).map(([k, p]) => [k, p.tau]));
  const record: MetricsRecord = {
    epoch: r.epoch,
    complete: r.complete,
    samples: r.samples,
    learningRate: r.learningRate,
    trainLoss: r.trainLoss,
    trainAccuracy: r.trainAccuracy,
    testAccuracy: r.validation?.accuracy ?? NaN,
    testLoss: r.validation?.loss ?? NaN,
    imagesPerSecond: r.imagesPerSecond,
    seconds: r.seconds,
    elapsedMinutes,
    tau,
    firingRate: monitors.firingRate ?? {},
    raster: monitors.raster,
    membrane: monitors.membrane,
    time: new Date().toISOString(),
  };
  if (r.validation?.warnings.length) record.warnings = r.validation.warnings;
  return record;
}

/** Reads metrics.jsonl (missing file: no records). A bad line (not JSON, or a wrongly typed field) names the file and line. */
export async function readMetrics(dir: string): Promise<MetricsRecord[]> {
  const file = join(dir, METRICS_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(l);
      } catch (e) {
        throw new Error(`${file}:${i + 1}: not a JSON line (${(e as Error).message})`, { cause: e });
      }
      return checkMetricsLine(parsed, file, i + 1);
    });
}

/**
 * Writes every record as metrics.jsonl in one go: a temporary file, then a rename, so a reader
 * (or a crash) never sees half a line.
 */
export async function writeMetrics(dir: string, records: readonly MetricsRecord[]): Promise<void> {
  await writeFileAtomic(join(dir, METRICS_FILE), records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : ''));
}
