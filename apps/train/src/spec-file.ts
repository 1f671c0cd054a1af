import { readFile } from 'node:fs/promises';
import { LOSS_KINDS, parseSpec } from '@spikeflow/core';
import { formatPath, SpecError, unknownNameMessage, type JsonPath, type ModelSpec, type SpecIssue } from '@spikeflow/spec';
import { datasets } from '@spikeflow/datasets/node';
import { UsageError } from './flags.js';
import { liveRecord } from './live.js';
import type { DatasetName, Preset } from './presets.js';

/**
 * A --spec file: a model and, optionally, training settings over the preset's.
 * { "model": { ...model spec... }, "training": { "dataset": "fashion-mnist", "epochs": 3, ... } }
 */
export interface SpecFile {
  model: ModelSpec;
  training?: Partial<Omit<Preset, 'description' | 'model' | 'paperAccuracy'>>;
}

/** Input shape each registered dataset gives (per sample; event datasets: one frame), read live. */
export const DATASET_INPUT: Readonly<Record<DatasetName, readonly number[]>> = liveRecord(() => Object.fromEntries(datasets.list().map((d) => [d.name, d.inputShape])));

const TRAINING_KEYS = ['dataset', 'optimizer', 'schedule', 'scheduleBy', 'loss', 'epochs', 'batchSize', 'trainLimit', 'testLimit', 'seed', 'maxMinutes'];

/** A JSON number that is finite and > 0 (JSON's 1e999 parses as Infinity, which is not). */
const isPositiveNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
/** How a value reads in an error: Infinity as Infinity (JSON.stringify would print null). */
const shown = (v: unknown) => (typeof v === 'number' ? String(v) : JSON.stringify(v));
const positiveExpected = (v: unknown) => `expected a finite number > 0, got ${shown(v)}`;

function checkTraining(t: unknown, issues: SpecIssue[]): void {
  const at = (key: string | number, ...rest: Array<string | number>): JsonPath => ['training', key, ...rest];
  if (typeof t !== 'object' || t === null || Array.isArray(t)) {
    issues.push({ path: ['training'], message: 'expected an object of training settings' });
    return;
  }
  const o = t as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!TRAINING_KEYS.includes(key)) issues.push({ path: at(key), message: unknownNameMessage('training setting', key, TRAINING_KEYS) });
  const int = (key: string, min: number) => {
    if (o[key] !== undefined && (!Number.isInteger(o[key]) || (o[key] as number) < min)) issues.push({ path: at(key), message: `expected an integer >= ${min}, got ${shown(o[key])}` });
  };
  int('epochs', 1);
  int('batchSize', 1);
  int('trainLimit', 0);
  int('testLimit', 0);
  int('seed', 0);
  if (o.maxMinutes !== undefined && !isPositiveNumber(o.maxMinutes)) issues.push({ path: at('maxMinutes'), message: positiveExpected(o.maxMinutes) });
  if (o.dataset !== undefined && !(typeof o.dataset === 'string' && datasets.has(o.dataset))) issues.push({ path: at('dataset'), message: unknownNameMessage('dataset', o.dataset, datasets.names()) });
  if (o.loss !== undefined && !(LOSS_KINDS as readonly unknown[]).includes(o.loss)) issues.push({ path: at('loss'), message: unknownNameMessage('loss', o.loss, LOSS_KINDS) });
  if (o.scheduleBy !== undefined && !['epoch', 'step'].includes(o.scheduleBy as string)) issues.push({ path: at('scheduleBy'), message: unknownNameMessage('schedule unit', o.scheduleBy, ['epoch', 'step']) });
  if (o.optimizer !== undefined) {
    const opt = o.optimizer as Record<string, unknown>;
    if (typeof opt !== 'object' || opt === null) issues.push({ path: at('optimizer'), message: 'expected { "kind": "adam" | "sgd", "learningRate": number }' });
    else {
      if (!['adam', 'sgd'].includes(opt.kind as string)) issues.push({ path: at('optimizer', 'kind'), message: unknownNameMessage('optimizer', opt.kind, ['adam', 'sgd']) });
      if (!isPositiveNumber(opt.learningRate)) issues.push({ path: at('optimizer', 'learningRate'), message: positiveExpected(opt.learningRate) });
    }
  }
  if (o.schedule !== undefined) {
    const s = o.schedule as Record<string, unknown>;
    if (typeof s !== 'object' || s === null || s.kind !== 'cosine') issues.push({ path: at('schedule', 'kind'), message: 'expected "cosine" (the only schedule)' });
    else if (s.tMax !== undefined && !isPositiveNumber(s.tMax)) issues.push({ path: at('schedule', 'tMax'), message: positiveExpected(s.tMax) });
  }
}

/** Checks a parsed --spec document; throws a SpecError listing every problem with its JSON path. */
export function checkSpecFile(doc: unknown, base: Preset): SpecFile {
  const issues: SpecIssue[] = [];
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new SpecError({ path: [], message: 'expected an object { "model": {...}, "training": {...} }' });
  const d = doc as Record<string, unknown>;
  for (const key of Object.keys(d)) if (!['model', 'training'].includes(key)) issues.push({ path: [key], message: unknownNameMessage('section', key, ['model', 'training']) });
  if (d.model === undefined) issues.push({ path: ['model'], message: 'required: the network (a model spec, see "A model is data" in the README)' });
  else {
    try {
      parseSpec(d.model);
    } catch (e) {
      if (!(e instanceof SpecError)) throw e;
      issues.push(...e.issues.map((i) => ({ path: ['model', ...i.path], message: i.message })));
    }
  }
  if (d.training !== undefined) checkTraining(d.training, issues);
  if (issues.length === 0) {
    const dataset = ((d.training as { dataset?: DatasetName } | undefined)?.dataset ?? base.dataset) as DatasetName;
    const shape = (d.model as ModelSpec).input?.shape ?? [];
    const want = datasets.get(dataset).inputShape;
    if (want.join() !== shape.join()) issues.push({ path: ['model', 'input', 'shape'], message: `the dataset ${dataset} gives samples of shape [${want.join(', ')}], the model takes [${shape.join(', ')}]` });
  }
  if (issues.length > 0) throw new SpecError(issues);
  return d as unknown as SpecFile;
}

/** The preset with a --spec file applied over it. Errors name the file and the JSON path. */
export async function applySpecFile(file: string, base: Preset): Promise<Preset> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--spec ${file}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--spec ${file}: not valid JSON (${(e as Error).message})`);
  }
  try {
    const spec = checkSpecFile(doc, base);
    return { ...base, ...(spec.training ?? {}), model: spec.model, description: `${spec.model.name ?? 'model'} from ${file}` } as Preset;
  } catch (e) {
    if (e instanceof SpecError) {
      const lines = e.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
      throw new UsageError(lines.length === 1 ? `--spec ${file}: ${lines[0]}` : `--spec ${file}: ${lines.length} problems: ${lines.join('; ')}`);
    }
    throw e;
  }
}
