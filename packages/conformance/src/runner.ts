import { readFile, writeFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { registry, use, type AnyPlugin } from '@spikeflow/core';
import { caseProblems, formatCaseResult, generateNeuronVectors, runNeuronCase, TARGET_SPIKE_RATE, type CaseResult, type NeuronVectorFile } from '@spikeflow/core/backend';
import { neurons, surrogates } from '@spikeflow/neurons';
import { selectBackend } from '@spikeflow/core/node';

export interface ConformanceOptions {
  vectors: string;
  /** tfjs backend name; 'webgpu' and 'wasm' load spikeflow's backend packages, which register it. */
  backend: string;
  /** Modules whose exports are plugins (or arrays of them) to register, besides the built-ins. */
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
  if (parsed.cases.length === 0) throw new Error(`--vectors: ${path} has no cases ("cases" is empty): nothing would be checked`);
  return parsed;
}

/** A module specifier as the user means it: paths relative to the working directory. */
function moduleUrl(specifier: string): string {
  return specifier.startsWith('.') || isAbsolute(specifier) ? pathToFileURL(resolve(specifier)).href : specifier;
}

/** Imports a module and registers the plugins it exports (also inside arrays); returns them. */
export async function importPlugins(specifier: string, flag = '--plugins'): Promise<AnyPlugin[]> {
  let mod: Record<string, unknown>;
  try {
    mod = await import(moduleUrl(specifier));
  } catch (e) {
    throw new Error(`${flag}: cannot import "${specifier}": ${(e as Error).message}`, { cause: e });
  }
  const seen = new Set<AnyPlugin>();
  const plugins = Object.values(mod).flatMap((v) => (Array.isArray(v) ? v : [v]))
    .filter((p): p is AnyPlugin => !!p && typeof p === 'object' && ['neuron', 'surrogate', 'pool'].includes((p as AnyPlugin).type))
    .filter((p) => !seen.has(p) && !!seen.add(p));
  if (plugins.length === 0) throw new Error(`${flag}: "${specifier}" exports no plugin (made with defineNeuron, defineSurrogate or definePool)`);
  registry.register(...plugins);
  return plugins;
}

/** The built-in neurons and surrogates, which vector files name besides a plugin's own. */
function importBuiltins(): void {
  use(neurons, surrogates);
}

/** Runs every case of a vector file; returns the results (the bin exits non-zero on any failure). */
export async function runConformance(o: ConformanceOptions): Promise<CaseResult[]> {
  const log = o.log ?? ((l: string) => console.log(l));
  const file = await loadVectors(o.vectors);
  importBuiltins();
  for (const p of o.plugins) await importPlugins(p);
  await selectBackend(o.backend);
  log(`spikeflow-conformance: ${file.cases.length} cases from ${o.vectors} on backend ${tf.getBackend()}`);
  const results: CaseResult[] = [];
  for (const [i, c] of file.cases.entries()) {
    let r: CaseResult;
    try {
      r = await runNeuronCase(c, registry, o.reference ? 'reference' : undefined);
    } catch (e) {
      r = { name: c?.name ?? `case ${i}`, spikes: NaN, v: NaN, gradX: NaN, ran: tf.getBackend(), pass: false, failures: [(e as Error).message] };
    }
    results.push(r);
    log(formatCaseResult(r));
  }
  const failed = results.filter((r) => !r.pass).length;
  log(`${results.length - failed} passed, ${failed} failed`);
  return results;
}

export interface GenerateCliOptions {
  /** Where to write the vectors (JSON). */
  out: string;
  /** Modules with the plugins to write vectors for. */
  plugins: string[];
  backend: string;
  T?: number;
  N?: number;
  seed?: number;
  /** Multiplies the input current; 'auto' (default) aims at 10-30% of neuron steps spiking. */
  inputScale?: number | 'auto';
  log?: (line: string) => void;
}

/**
 * Writes vectors for every neuron and surrogate the --plugins modules export, from the reference
 * op: per neuron its defaults (hard reset, atan) and soft reset with a detached reset (sigmoid);
 * per surrogate a LIF layer (or the module's first neuron) using it.
 */
export async function generateConformance(o: GenerateCliOptions): Promise<NeuronVectorFile> {
  const log = o.log ?? ((l: string) => console.log(l));
  if (o.plugins.length === 0) throw new Error('--generate needs --plugins MODULE: the plugins to write vectors for');
  importBuiltins();
  const plugins: AnyPlugin[] = [];
  for (const p of o.plugins) plugins.push(...(await importPlugins(p)));
  await selectBackend(o.backend);
  const neurons = plugins.filter((p) => p.type === 'neuron').map((p) => p.kind);
  const surrogates = plugins.filter((p) => p.type === 'surrogate').map((p) => p.kind);
  const layers: Array<Record<string, unknown> & { neuron: string }> = [];
  for (const neuron of neurons) {
    layers.push({ neuron, surrogate: { kind: registry.surrogates.has('atan') ? 'atan' : surrogates[0] } });
    layers.push({ neuron, vReset: null, detachReset: true, surrogate: { kind: registry.surrogates.has('sigmoid') ? 'sigmoid' : surrogates[0] } });
  }
  const host = neurons[0] ?? (registry.neurons.has('lif') ? 'lif' : undefined);
  for (const surrogate of surrogates) {
    if (!host) throw new Error(`--generate: surrogate "${surrogate}" needs a neuron to run in: install @spikeflow/neurons or export a neuron too`);
    layers.push({ neuron: host, surrogate: { kind: surrogate } });
  }
  if (layers.some((l) => !(l.surrogate as { kind?: string }).kind)) throw new Error('--generate: no surrogate gradient is registered (install @spikeflow/neurons or export one)');
  const file = await generateNeuronVectors({ layers, T: o.T, N: o.N, seed: o.seed, inputScale: o.inputScale });
  for (const c of file.cases) {
    const problems = caseProblems(c);
    if (problems.length) throw new Error(`--generate: case ${c.name} came out malformed: ${problems.join('; ')}`);
    const rate = c.spikes.flat().filter((s) => s > 0).length / (c.T * c.N);
    const [lo, hi] = TARGET_SPIKE_RATE;
    const advice = rate < lo || rate > hi ? ` (outside ${lo * 100}-${hi * 100}%: try --input-scale ${rate < lo ? 'larger' : 'smaller'})` : '';
    log(`  ${c.name}: input scale ${c.inputScale}, ${(100 * rate).toFixed(1)}% of ${c.T}x${c.N} neuron steps spike${advice}`);
  }
  await writeFile(o.out, JSON.stringify(file));
  log(`spikeflow-conformance: wrote ${file.cases.length} cases (${file.cases.map((c) => c.name).join(', ')}) to ${o.out}`);
  return file;
}
