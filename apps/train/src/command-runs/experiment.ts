import { cpus, loadavg, totalmem, arch, platform } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backends.js';
import { loadSplits, probeBatch } from '../data.js';
import { integer, str, unknownName, UsageError, type Flags } from '../flags.js';
import { EXPERIMENTS, type Experiment, type Variant } from '../experiments.js';
import { trainOnBudget } from '../experiment/budget-run.js';
import { claimFolder, finishedRuns, RESULTS_FORMAT, runFileName, saveResults, saveRun, type ExperimentResults, type ExperimentSetup, type Machine } from '../experiment/results.js';
import { summarize, type RunEntry } from '../experiment/summary.js';
import { experimentHtml } from '../report/experiment-html.js';
import { applyFlags, presetNamed } from '../resolve.js';
import { prepareRunFolder } from '../run-folder.js';
import { lockRunFolder } from '../run-lock.js';
import { writeFileAtomic } from '../write-file.js';
import type { CommandContext } from '../commands/command.js';
import { CURVE_POINTS, DEFAULT_SEEDS } from '../commands/experiment.js';
import { interruptedExitCode } from './train.js';

export const DEFAULT_EXPERIMENT_PRESET = 'fashion-mnist-quick';
export const DEFAULT_IMAGES = 20000;
/** Test images the firing rates are measured on. */
const PROBE_IMAGES = 256;
export const REPORT_FILE = 'report.html';

/** Flags the experiment command does not take, with what to give instead. */
const REFUSED: Partial<Record<keyof Flags, string>> = {
  'budget-minutes': 'experiments budget by images, not time: give --images N',
  'max-minutes': 'experiments budget by images, not time: give --images N',
  epochs: 'experiments budget by images: give --images N (more than the training split runs several epochs)',
  'max-steps': 'experiments budget by images: give --images N',
  resume: 'rerun the same command with the same --out to resume an experiment',
  spec: 'experiments vary a preset: give --preset P',
};

/** The variants `--variants a,b` names (all when absent); an unknown one is a usage error. */
export function chosenVariants(exp: Experiment, flags: Flags): Variant[] {
  const list = str(flags, 'variants');
  if (list === undefined) return exp.variants;
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError('--variants: expected a comma-separated list of variant names');
  const known = exp.variants.map((v) => v.name);
  for (const n of names) if (!known.includes(n)) throw unknownName('--variants', `variant of ${exp.name}`, n, known);
  return exp.variants.filter((v) => names.includes(v.name));
}

/** The command line as given, flags in a fixed order (what results.json and the report quote). */
function commandLine(name: string, flags: Flags): string {
  const parts = Object.entries(flags)
    .filter(([k]) => k !== 'progress')
    .map(([k, v]) => (v === true ? `--${k}` : `--${k} ${/\s/.test(String(v)) ? JSON.stringify(v) : v}`));
  return ['spikeflow experiment', name, ...parts].join(' ');
}

function machineOf(backend: string): Machine {
  const cores = cpus();
  return {
    cpu: cores[0]?.model ?? 'unknown',
    cores: cores.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    platform: `${platform()} ${arch()}`,
    node: process.versions.node,
    backend,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

const pm = (m: number, s: number) => `${m.toFixed(2)} ± ${s.toFixed(2)}`;

/** The summary as Markdown (printed at the end, and saved as summary.md). */
export function summaryMarkdown(r: ExperimentResults): string {
  const lines = [
    '| variant | setting | seeds | final test acc (%) | learning-curve mean (%) | mean firing rate | tau (mean over layers) |',
    '|---|---|---:|---:|---:|---:|---|',
  ];
  for (const v of r.summary.variants) {
    const rates = Object.values(v.firingRate);
    const taus = Object.values(v.tau);
    const meanOf = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / Math.max(1, xs.length);
    lines.push(`| ${v.variant} | ${v.note} | ${v.seeds} | ${pm(v.testAccuracy.mean, v.testAccuracy.std)} | ${pm(v.curveMean.mean, v.curveMean.std)} | ${meanOf(rates).toFixed(4)} | ${meanOf(taus).toFixed(2)}${v.tauLearned ? '' : ' (fixed)'} |`);
  }
  lines.push('', r.summary.test, '', ...r.summary.comparisons.map((c) => `- ${c.verdict}`));
  if (r.summary.sensitivity?.length) lines.push(`- Sensitivity to tau: ${r.summary.sensitivity[0].verdict}`);
  return lines.join('\n');
}

/** `spikeflow experiment` (its usage: commands/experiment.ts). */
export async function runExperiment({ positionals, flags, log, signal }: CommandContext): Promise<number> {
  const name = positionals[0];
  if (!name) throw new UsageError(`experiment: name one of ${Object.keys(EXPERIMENTS).join(', ')}`);
  if (positionals.length > 1) throw new UsageError(`experiment: unexpected argument "${positionals[1]}"`);
  const exp = Object.hasOwn(EXPERIMENTS, name) ? EXPERIMENTS[name] : undefined;
  if (!exp) throw unknownName('experiment', 'experiment', name, Object.keys(EXPERIMENTS));
  for (const [flag, instead] of Object.entries(REFUSED)) if (flags[flag as keyof Flags] !== undefined) throw new UsageError(`--${flag}: ${instead}`);
  const variants = chosenVariants(exp, flags);
  const images = integer(flags, 'images', 1) ?? DEFAULT_IMAGES;
  const seedCount = integer(flags, 'seeds', 1, 1000) ?? DEFAULT_SEEDS;
  const presetName = str(flags, 'preset') ?? DEFAULT_EXPERIMENT_PRESET;
  const base = applyFlags(presetNamed(presetName), flags);
  if (images < base.batchSize) throw new UsageError(`--images: ${images} is smaller than one batch (${base.batchSize} images); give at least ${base.batchSize}`);
  const defaultEvery = Math.max(base.batchSize, Math.ceil(images / CURVE_POINTS / base.batchSize) * base.batchSize);
  const curveEvery = integer(flags, 'curve-every', 1) ?? defaultEvery;
  const checkpointEvery = integer(flags, 'checkpoint-every', 0);
  const seeds = Array.from({ length: seedCount }, (_, i) => i + 1);
  const out = str(flags, 'out') ?? join('runs', `experiment-${name}`);
  await prepareRunFolder(out);
  const lock = await lockRunFolder(out, log);
  try {
    const backend = await selectBackend(str(flags, 'backend') ?? 'auto', integer(flags, 'threads', 1, 64));
    const setup: ExperimentSetup = {
      experiment: name,
      preset: presetName,
      dataset: base.dataset,
      images,
      dataSeed: base.seed,
      curveEvery,
      batchSize: base.batchSize,
      timeSteps: base.model.timeSteps ?? 1,
      trainLimit: base.trainLimit,
      testLimit: base.testLimit,
      learningRate: base.optimizer.learningRate,
      backend: backend.name,
    };
    const state = await claimFolder(out, setup);
    const { train, test } = await loadSplits({ dataset: base.dataset, dataDir: str(flags, 'data-dir'), download: flags.download === true, trainLimit: base.trainLimit, testLimit: base.testLimit, seed: base.seed, frames: base.model.timeSteps });
    log(`spikeflow experiment ${name}: ${exp.question}`);
    log(`  ${variants.length} variants x ${seedCount} weight seeds, ${images} training images each (data seed ${base.seed}), test every ${curveEvery} images; preset ${presetName} on ${backend.name}`);
    log(`  train: ${train.source}; test: ${test.source}`);
    const threads = backend.detail.threads;
    const machine = machineOf(`${backend.name} (${backend.detail.device}, ${threads} thread${threads === 1 ? '' : 's'})`);
    const done = state === 'resume' ? await finishedRuns(out) : new Map();
    const runs: RunEntry[] = [];
    const results = (): ExperimentResults => ({
      format: RESULTS_FORMAT,
      experiment: name,
      question: exp.question,
      claim: exp.claim,
      command: commandLine(name, flags),
      setup,
      seeds,
      variants: variants.map((v) => ({ name: v.name, note: v.note })),
      data: { train: train.source, test: test.source },
      machine,
      complete: runs.length === variants.length * seeds.length,
      runs,
      summary: summarize({ ...exp, variants }, runs),
    });
    const publish = async () => {
      const r = results();
      await saveResults(out, r);
      await writeFileAtomic(join(out, REPORT_FILE), experimentHtml(r));
      await writeFileAtomic(join(out, 'summary.md'), `# ${name}\n\n${r.command}\n\n${summaryMarkdown(r)}\n`);
      return r;
    };
    const probe = await probeBatch(test, Math.min(PROBE_IMAGES, test.count));
    try {
      // Seeds outermost: an experiment cut short has every variant at the same number of seeds.
      for (const seed of seeds) {
        for (const v of variants) {
          const finished = done.get(runFileName(v.name, seed));
          if (finished) {
            log(`${v.name} seed ${seed}: finished before (test acc ${(100 * finished.run.testAccuracy).toFixed(2)}%), not run again`);
            runs.push(finished.run);
            continue;
          }
          log(`${v.name} seed ${seed}: ${v.note}`);
          const preset = { ...base, model: v.apply(base.model) };
          const result = await trainOnBudget({ preset, weightSeed: seed, train, test, images, curveEvery, checkpointEvery, probe, signal, log: (l) => log(`  ${l}`) });
          if (!result) {
            log(`interrupted: ${v.name} seed ${seed} is dropped (it starts over on a resume); ${runs.length} finished runs are in ${join(out, 'results.json')}`);
            await publish();
            return interruptedExitCode(signal);
          }
          const run: RunEntry = { variant: v.name, note: v.note, seed, ...result.measures };
          await saveRun(out, { setup, run, indices: Array.from(result.indices) });
          runs.push(run);
          log(`  test acc ${(100 * run.testAccuracy).toFixed(2)}% after ${run.images} images, ${run.minutes.toFixed(1)} min (${run.imagesPerSecond.toFixed(1)} img/s training)`);
          await publish();
        }
      }
    } finally {
      tf.dispose(probe);
    }
    const r = await publish();
    log(summaryMarkdown(r));
    log(`results: ${join(out, 'results.json')}; report: ${join(out, REPORT_FILE)}`);
    return 0;
  } finally {
    await lock.release();
  }
}
