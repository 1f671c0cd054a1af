// An experiment's folder: experiment.json (the setup every run shares), runs/ (one file per finished
// run, written atomically, so an interrupted experiment resumes without redoing them) and results.json
// (every finished run and the summary, rewritten after each run).
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../flags.js';
import { writeFileAtomic } from '../write-file.js';
import type { ExperimentSummary, RunEntry } from './summary.js';

export const RESULTS_FILE = 'results.json';
export const SETUP_FILE = 'experiment.json';
export const RUNS_DIR = 'runs';
export const RESULTS_FORMAT = 'spikeflow.experiment/v1';

/** What every run of an experiment shares; a resume must ask for the same. */
export interface ExperimentSetup {
  experiment: string;
  preset: string;
  dataset: string;
  /** Training images per run, the same images in the same order for every run. */
  images: number;
  /** Seed of the data order (shuffle): one for the whole experiment. */
  dataSeed: number;
  curveEvery: number;
  batchSize: number;
  timeSteps: number;
  trainLimit: number;
  testLimit: number;
  learningRate: number;
  backend: string;
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  node: string;
  backend: string;
  /** 1, 5 and 15 minute load averages when the experiment (or its resume) started. */
  loadAverage: number[];
}

export interface ExperimentResults {
  format: typeof RESULTS_FORMAT;
  experiment: string;
  question: string;
  claim: string;
  command: string;
  setup: ExperimentSetup;
  /** Weight seeds: each variant runs once per seed. */
  seeds: number[];
  variants: { name: string; note: string }[];
  data: { train: string; test: string };
  machine: Machine;
  /** Every variant ran with every seed. */
  complete: boolean;
  runs: RunEntry[];
  summary: ExperimentSummary;
}

/** A finished run as saved under runs/: its measures and the trained sample indices. */
export interface RunFile {
  setup: ExperimentSetup;
  run: RunEntry;
  indices: number[];
}

export const runFileName = (variant: string, seed: number) => `${variant}--seed-${seed}.json`;

const readJson = async <T>(file: string): Promise<T | undefined> => {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${file}: cannot read it (${(e as Error).message}); move it away to start over`, { cause: e });
  }
};

/**
 * Records the setup in a new folder, or checks that a folder's earlier setup is this one (a
 * resume): any field that differs is a usage error naming it, so runs of two setups never mix.
 */
export async function claimFolder(out: string, setup: ExperimentSetup): Promise<'new' | 'resume'> {
  const file = join(out, SETUP_FILE);
  const before = await readJson<ExperimentSetup>(file);
  if (before) {
    const differ = (Object.keys(setup) as (keyof ExperimentSetup)[]).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(setup[k]));
    if (differ.length > 0) {
      const what = differ.map((k) => `${k} ${JSON.stringify(before[k])} there, ${JSON.stringify(setup[k])} now`).join('; ');
      throw new UsageError(`--out ${out}: holds an experiment with another setup (${what}); give the same flags to resume it, or another --out`);
    }
    return 'resume';
  }
  await mkdir(join(out, RUNS_DIR), { recursive: true });
  await writeFileAtomic(file, JSON.stringify(setup, null, 2) + '\n');
  return 'new';
}

/** The finished runs in the folder, keyed by run file name. */
export async function finishedRuns(out: string): Promise<Map<string, RunFile>> {
  const dir = join(out, RUNS_DIR);
  await mkdir(dir, { recursive: true });
  const found = new Map<string, RunFile>();
  for (const name of (await readdir(dir)).filter((f) => f.endsWith('.json')).sort()) {
    const file = await readJson<RunFile>(join(dir, name));
    if (file?.run) found.set(name, file);
  }
  return found;
}

export async function saveRun(out: string, file: RunFile): Promise<void> {
  await writeFileAtomic(join(out, RUNS_DIR, runFileName(file.run.variant, file.run.seed)), JSON.stringify(file) + '\n');
}

export async function saveResults(out: string, results: ExperimentResults): Promise<string> {
  const file = join(out, RESULTS_FILE);
  await writeFileAtomic(file, JSON.stringify(results, null, 2) + '\n');
  return file;
}
