import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { formatCaseResult, runNeuronCase, type CaseResult, type NeuronVectorFile } from '../conformance.js';
import { registry } from '../registry.js';
import type { AnyPlugin } from '../plugins.js';
import { selectBackend } from './backends.js';

export interface ConformanceOptions {
  vectors: string;
  /** tfjs backend name; 'webgpu' and 'wasm' load spikeflow's backend packages, which register it. */
  backend: string;
  /** Modules whose exports are plugins (or arrays of them) to register; default the built-ins. */
  plugins: string[];
  /** Force the reference op even where a fused kernel exists. */
  reference?: boolean;
  log?: (line: string) => void;
}

export async function loadVectors(path: string): Promise<NeuronVectorFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`--vectors: cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  let parsed: NeuronVectorFile;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`--vectors: ${path} is not JSON: ${(e as Error).message}`, { cause: e });
  }
  if (!parsed || !Array.isArray(parsed.cases)) throw new Error(`--vectors: ${path} has no "cases" array`);
  return parsed;
}

async function importPlugins(specifier: string): Promise<void> {
  let mod: Record<string, unknown>;
  try {
    mod = await import(specifier);
  } catch (e) {
    throw new Error(`--plugins: cannot import "${specifier}": ${(e as Error).message}`, { cause: e });
  }
  const plugins = Object.values(mod).flatMap((v) => (Array.isArray(v) ? v : [v]))
    .filter((p): p is AnyPlugin => !!p && typeof p === 'object' && ['neuron', 'surrogate', 'pool'].includes((p as AnyPlugin).type));
  registry.register(...plugins);
}

/** Runs every case of a vector file; returns the results (the bin exits non-zero on any failure). */
export async function runConformance(o: ConformanceOptions): Promise<CaseResult[]> {
  const log = o.log ?? ((l: string) => console.log(l));
  const file = await loadVectors(o.vectors);
  for (const p of o.plugins) await importPlugins(p);
  await selectBackend(o.backend);
  log(`spikeflow-conformance: ${file.cases.length} cases from ${o.vectors} on backend ${tf.getBackend()}`);
  const results: CaseResult[] = [];
  for (const c of file.cases) {
    let r: CaseResult;
    try {
      r = await runNeuronCase(c, registry, o.reference ? 'reference' : undefined);
    } catch (e) {
      r = { name: c.name ?? '?', spikes: NaN, v: NaN, gradX: NaN, ran: tf.getBackend(), pass: false, failures: [(e as Error).message] };
    }
    results.push(r);
    log(formatCaseResult(r));
  }
  const failed = results.filter((r) => !r.pass).length;
  log(`${results.length - failed} passed, ${failed} failed`);
  return results;
}
