import { stat } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { estimateTrainingBytes, formatSummary, summary } from '@spikeflow/core';
import { selectBackend } from '../backends.js';
import { loadSplits, type Split } from '../data.js';
import { integer, str, UsageError, type Flags } from '../flags.js';
import { run, scheduleOf } from '../loop.js';
import { progressFor, type ProgressMode } from '../progress.js';
import { writeReport } from '../report/write.js';
import type { Preset } from '../presets.js';
import { DEFAULT_PRESET, resolveRun } from '../resolve.js';
import { prepareRunFolder, runFolderOf } from '../run-folder.js';
import { lockRunFolder, type RunLock } from '../run-lock.js';
import { writeFileAtomic } from '../write-file.js';
import type { CommandContext } from '../commands/command.js';

/** Settings and provenance of a run, written as run.json beside the metrics (the report shows them). */
export interface RunInfo {
  preset: string;
  settings: unknown;
  backend: { name: string; detail?: unknown };
  data: { train: string; test: string };
  summary: unknown;
  argv: string[];
  host: { cpus: number; node: string; loadAtStart: number[]; loadAtEnd?: number[] };
  started: string;
  finished?: string;
  stopReason?: string;
}

export const RUN_FILE = 'run.json';

const PROGRESS_MODES = ['bar', 'lines', 'none'];

/** `spikeflow train` (its usage: commands/train.ts). */
export async function runTrain({ flags, log, signal }: CommandContext): Promise<number> {
  const { name, preset } = await resolveRun(flags);
  checkMemory(preset, flags);
  const resume = await resumeFolder(str(flags, 'resume'), log);
  const mode = str(flags, 'progress');
  if (mode !== undefined && !PROGRESS_MODES.includes(mode)) throw new UsageError(`--progress: expected one of ${PROGRESS_MODES.join(', ')}, got "${mode}"`);
  const maxSteps = integer(flags, 'max-steps', 1);
  const checkpointEvery = integer(flags, 'checkpoint-every', 0);
  const threads = integer(flags, 'threads', 1, 64);
  const out = await runFolderOf(str(flags, 'out'), resume, log);
  let lock: RunLock | undefined;
  if (out) {
    await prepareRunFolder(out);
    lock = await lockRunFolder(out, log);
  }
  try {
    return await trainInto({ name, preset, resume, out, mode, maxSteps, checkpointEvery, threads, flags, log, signal });
  } finally {
    await lock?.release();
  }
}

interface TrainRequest {
  name: string;
  preset: Preset;
  resume?: string;
  /** The run folder, already created and locked (none: nothing is saved). */
  out?: string;
  mode?: string;
  maxSteps?: number;
  /** --checkpoint-every: memory-lean BPTT (neuron state kept every K steps). */
  checkpointEvery?: number;
  threads?: number;
  flags: Flags;
  log: (line: string) => void;
  signal?: AbortSignal;
}

/** Exit code of a run stopped by a signal: 128 + its number (Ctrl-C 130, SIGTERM 143). */
export function interruptedExitCode(signal: AbortSignal | undefined): number {
  return signal?.reason === 'SIGTERM' ? 143 : 130;
}

async function trainInto({ name, preset, resume, out, mode, maxSteps, checkpointEvery, threads, flags, log, signal }: TrainRequest): Promise<number> {
  const backend = await selectBackend(str(flags, 'backend') ?? 'auto', threads);
  const { train: trainSplit, test } = await loadSplits({
    dataset: preset.dataset,
    dataDir: str(flags, 'data-dir'),
    download: flags.download === true,
    trainLimit: preset.trainLimit,
    testLimit: preset.testLimit,
    seed: preset.seed,
    frames: preset.model.timeSteps,
  });
  checkInputShape(trainSplit, preset.model.input.shape);
  checkInputShape(test, preset.model.input.shape);
  const schedule = scheduleOf(preset);
  log(`spikeflow train: preset ${name} on ${backend.name}${backend.detail ? ` ${JSON.stringify(backend.detail)}` : ''}`);
  log(`  train: ${trainSplit.source}`);
  log(`  test:  ${test.source}`);
  log(
    `  T=${preset.model.timeSteps} batch ${preset.batchSize} ${preset.optimizer.kind} lr ${preset.optimizer.learningRate}` +
      `${schedule ? ` cosine over ${schedule.tMax} epochs (per ${preset.scheduleBy ?? 'epoch'})` : ''} epochs ${preset.epochs}` +
      `${preset.maxMinutes !== undefined ? ` max ${preset.maxMinutes} min` : ''}`,
  );
  if (checkpointEvery) log(`  memory-lean BPTT: neuron state kept every ${checkpointEvery} steps, the rest recomputed in the backward pass`);
  const info: RunInfo = {
    preset: name,
    settings: preset,
    backend,
    data: { train: trainSplit.source, test: test.source },
    summary: undefined,
    argv: process.argv.slice(2),
    host: { cpus: cpus().length, node: process.version, loadAtStart: loadavg() },
    started: new Date().toISOString(),
  };
  const saveInfo = async () => {
    if (out) await writeFileAtomic(join(out, RUN_FILE), JSON.stringify(info, null, 2));
  };
  const progress = progressFor(mode as ProgressMode | undefined, log, preset.maxMinutes !== undefined ? preset.maxMinutes * 60 : undefined);
  const result = await run({
    preset,
    train: trainSplit,
    test,
    out,
    resume,
    resumeRequest: { given: Object.keys(flags).filter((k) => flags[k as keyof typeof flags] !== undefined), presetName: str(flags, 'preset') ?? DEFAULT_PRESET },
    maxSteps,
    checkpointEvery,
    signal,
    progress,
    log,
    onStart: async (network) => {
      const s = summary(network);
      info.summary = s;
      log(formatSummary(s));
      await saveInfo();
    },
  });
  info.finished = new Date().toISOString();
  info.stopReason = result.stopReason;
  info.host.loadAtEnd = loadavg();
  await saveInfo();
  const last = result.records[result.records.length - 1];
  if (last) {
    const best = Math.max(...result.records.map((r) => r.testAccuracy));
    log(`final test accuracy ${(100 * last.testAccuracy).toFixed(2)}% (best ${(100 * best).toFixed(2)}%); learned tau per layer: ${JSON.stringify(last.tau)}`);
  }
  if (result.stopReason === 'aborted' && out && (result.interruptedCheckpoint || last)) {
    // Stopped mid-epoch (the epoch so far was saved) or between epochs (last holds the epoch that ended).
    const checkpoint = result.interruptedCheckpoint ?? join(out, 'last');
    if (!result.interruptedCheckpoint) log(`stopped after epoch ${last!.epoch}, saved in ${checkpoint}`);
    log(`continue with: ${resumeCommand(process.argv.slice(2), checkpoint)}`);
  }
  if (result.stopReason === 'time') log(`stopped by the time budget (${preset.maxMinutes} min)`);
  if (out && flags['no-report'] !== true && result.records.length > 0) {
    const file = await writeReport(out);
    log(`report: ${file}`);
  }
  return result.stopReason === 'aborted' ? interruptedExitCode(signal) : 0;
}

/** A shell word: quoted when it holds anything but safe characters. */
const shellWord = (w: string) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

/**
 * The command that continues an interrupted run: this one's arguments with --resume pointing at the
 * checkpoint (its run folder is found from it, so --out is dropped).
 */
export function resumeCommand(argv: readonly string[], checkpoint: string): string {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--resume' || a === '--out') i++;
    else if (!a.startsWith('--resume=') && !a.startsWith('--out=')) kept.push(a);
  }
  return ['spikeflow', ...kept, '--resume', checkpoint].map(shellWord).join(' ');
}

/** `--resume RUN` (a run folder) means RUN/last; a folder that is neither is left for the loader to name. */
async function resumeFolder(dir: string | undefined, log: (line: string) => void): Promise<string | undefined> {
  if (dir === undefined) return undefined;
  const isFile = async (p: string) => (await stat(p).catch(() => undefined))?.isFile() ?? false;
  if (!(await isFile(join(dir, 'manifest.json'))) && (await isFile(join(dir, 'last', 'manifest.json')))) {
    log(`${dir} is a run folder: resuming from ${join(dir, 'last')}`);
    return join(dir, 'last');
  }
  return dir;
}

/**
 * Refuses a run whose activations over T steps and the batch cannot fit in this machine's memory,
 * before anything is allocated, naming the flags that size it.
 */
function checkMemory(preset: Preset, flags: Flags): void {
  const bytes = estimateTrainingBytes(preset.model, preset.batchSize);
  const limit = totalmem();
  if (bytes <= limit) return;
  const gib = (b: number) => `${(b / 2 ** 30).toFixed(b < 2 ** 33 ? 1 : 0)} GiB`;
  const T = preset.model.timeSteps ?? 8;
  const fit = Math.floor((T * limit) / bytes);
  const named = ['time-steps', 'batch-size'].filter((f) => flags[f as keyof Flags] !== undefined).map((f) => `--${f}`);
  throw new UsageError(
    `${named.length ? named.join(' and ') : 'the preset'}: T=${T} at batch ${preset.batchSize} needs about ${gib(bytes)} for one training step, this machine has ${gib(limit)}; ` +
      (fit >= 1 ? `at this batch size at most about T=${fit} fits` : 'even T=1 does not fit at this batch size: lower --batch-size'),
  );
}

/** The data must fit the model's input before the first step, not after an epoch. */
function checkInputShape(split: Split, inputShape: readonly number[]): void {
  if (split.count === 0) throw new Error(`${split.source}: holds no samples`);
  if (!split.sampleShape) return;
  const same = split.sampleShape.length === inputShape.length && split.sampleShape.every((d, i) => d === inputShape[i]);
  const flat = inputShape.length === 1 && split.sampleShape.reduce((a, b) => a * b, 1) === inputShape[0];
  if (!same && !flat) throw new Error(`${split.source}: samples are [${split.sampleShape.join(', ')}], the model's input is [${inputShape.join(', ')}]`);
}
