import * as tf from '@tensorflow/tfjs';
import { parseSpec } from '@spikeflow/spec';
import { evalNumber } from './expr.js';
import { neuronStep } from './neuron-ir.js';
import { compileNeuron, type CompiledNeuron, type NeuronCommonOptions } from './plugins.js';
import { registry as sharedRegistry, type Registry } from './registry.js';
import { neuronImplementation, runNeuron } from './neuron-op.js';
import { seededRandom } from './random.js';

/** One case of a neuron vector file (the format of SpikingJelly-generated reference vectors). */
export interface NeuronVectorCase {
  name: string;
  config: Record<string, unknown> & { neuron: string; surrogate: { name: string } & Record<string, unknown> };
  T: number;
  N: number;
  x: number[][];
  gradSpikes: number[][];
  gradV: number[][];
  spikes: number[][];
  v: number[][];
  gradX: number[][];
  /** The second state variable after each step (e.g. Izhikevich's adaptation current). */
  wState?: number[][];
  /** PLIF's w and dL/dw (the first parameter). */
  w?: number;
  gradW?: number;
  /** Every parameter's initial value and dL/dparam, by name (generated vectors). */
  params?: Record<string, number>;
  gradParams?: Record<string, number>;
  /** The factor the generator multiplied its input current by (generated vectors). */
  inputScale?: number;
}
export interface NeuronVectorFile {
  source?: string;
  loss?: string;
  cases: NeuronVectorCase[];
}

/** Tolerances: spikes exact; v, w and dL/dx abs + rel; dL/dparam (a sum over T*N terms) relative. */
export const CONFORMANCE_TOLERANCE = { atol: 1e-5, rtol: 1e-5, paramRtol: 1e-4 };

export interface CaseResult {
  name: string;
  /** Max abs error per quantity (gradW absent for neurons without parameters, wState where the case has none). */
  spikes: number;
  v: number;
  gradX: number;
  wState?: number;
  gradW?: number;
  /** Backend and implementation that ran (e.g. webgpu/fused). */
  ran: string;
  pass: boolean;
  failures: string[];
}

/** Turns a vector case's config into a neuron layer of a spikeflow spec. */
export function neuronLayerFromVectorConfig(config: NeuronVectorCase['config']): Record<string, unknown> {
  const { surrogate, ...rest } = config;
  const { name, ...surrogateOptions } = surrogate;
  return { kind: 'neuron', ...rest, surrogate: { kind: name, ...surrogateOptions } };
}

/** Compiles the neuron layer a case describes, with the registry's plugins. */
export function compileCaseNeuron(c: Pick<NeuronVectorCase, 'config' | 'N' | 'T'>, registry: Registry = sharedRegistry): CompiledNeuron {
  const layer = neuronLayerFromVectorConfig(c.config);
  const spec = parseSpec({ input: { shape: [c.N] }, timeSteps: c.T, layers: [layer] }, registry.catalog());
  const opts = spec.layers[0] as unknown as Record<string, unknown> & NeuronCommonOptions;
  const surrogateOpts = opts.surrogate as { kind: string } & Record<string, unknown>;
  return compileNeuron(registry.neurons.get(opts.neuron as string)!, registry.surrogates.get(surrogateOpts.kind)!, opts, surrogateOpts);
}

function maxAbs(a: Float32Array | number[], b: number[]): number {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
function withinTol(a: Float32Array | number[], b: number[], atol: number, rtol: number): boolean {
  for (let i = 0; i < b.length; i++) if (!(Math.abs(a[i] - b[i]) <= atol + rtol * Math.abs(b[i]))) return false;
  return true;
}

/** What is wrong with a case's shape: arrays missing, empty, or not [T][N] (none: an empty list). */
export function caseProblems(c: Partial<NeuronVectorCase>): string[] {
  const problems: string[] = [];
  if (!c || typeof c !== 'object') return ['a case must be an object'];
  if (!c.config || typeof c.config.neuron !== 'string') problems.push('config.neuron is missing');
  else if (!c.config.surrogate || typeof c.config.surrogate.name !== 'string') problems.push('config.surrogate.name is missing');
  if (!Number.isInteger(c.T) || c.T! < 1) problems.push(`T must be a positive integer (got ${String(c.T)})`);
  if (!Number.isInteger(c.N) || c.N! < 1) problems.push(`N must be a positive integer (got ${String(c.N)})`);
  const arrays: Array<keyof NeuronVectorCase> = ['x', 'gradSpikes', 'gradV', 'spikes', 'v', 'gradX', ...(c.wState !== undefined ? ['wState' as const] : [])];
  for (const key of arrays) {
    const a = c[key] as unknown;
    if (!Array.isArray(a) || a.length === 0) {
      problems.push(`"${key}" is ${a === undefined ? 'missing' : 'empty or not an array'}`);
      continue;
    }
    if (problems.some((p) => p.startsWith('T ') || p.startsWith('N '))) continue;
    if (a.length !== c.T || !a.every((row) => Array.isArray(row) && row.length === c.N && row.every((v) => typeof v === 'number'))) {
      problems.push(`"${key}" must be ${c.T} rows of ${c.N} numbers`);
    }
  }
  return problems;
}

/**
 * Runs one case on the current tfjs backend through the multi-step neuron op (fused where the
 * backend registered a kernel) and compares spikes, v, the second state variable, dL/dx and the
 * parameters' gradients with the expected values. A malformed case fails, saying why.
 */
export async function runNeuronCase(c: NeuronVectorCase, registry: Registry = sharedRegistry, implementation?: 'reference'): Promise<CaseResult> {
  const problems = caseProblems(c);
  const ran = `${tf.getBackend()}/${implementation ?? neuronImplementation()}`;
  if (problems.length > 0) return { name: c?.name ?? '?', spikes: NaN, v: NaN, gradX: NaN, ran, pass: false, failures: problems.map((p) => `malformed case: ${p}`) };
  const compiled = compileCaseNeuron(c, registry);
  const { T, N } = c;
  const x = tf.tensor2d(c.x.flat(), [T, N]);
  const gS = tf.tensor2d(c.gradSpikes.flat(), [T, N]);
  const gV = tf.tensor2d(c.gradV.flat(), [T, N]);
  const params = compiled.paramInit.map((p) => tf.scalar(p));
  const f = (xIn: tf.Tensor, ...ps: tf.Tensor[]) => {
    const out = runNeuron(compiled, xIn as tf.Tensor2D, ps, true, implementation);
    const [s, v] = tf.unstack(out);
    return tf.add(tf.sum(tf.mul(s, gS)), tf.sum(tf.mul(v, gV))) as tf.Scalar;
  };
  const out = runNeuron(compiled, x, params, true, implementation);
  const values = (await out.data()) as Float32Array;
  const grads = tf.grads(f)([x, ...params]);
  const TN = T * N;
  const spikes = values.subarray(0, TN);
  const v = values.subarray(TN, 2 * TN);
  const wState = compiled.stateNames.length > 1 ? values.subarray(2 * TN, 3 * TN) : undefined;
  const gradX = (await grads[0].data()) as Float32Array;
  const gradParams = await Promise.all(grads.slice(1).map(async (g) => (await g.data())[0]));
  tf.dispose([x, gS, gV, ...params, out, ...grads]);

  const failures: string[] = [];
  const { atol, rtol, paramRtol } = CONFORMANCE_TOLERANCE;
  const exp = { spikes: c.spikes.flat(), v: c.v.flat(), gradX: c.gradX.flat() };
  const r: CaseResult = {
    name: c.name,
    spikes: maxAbs(spikes, exp.spikes),
    v: maxAbs(v, exp.v),
    gradX: maxAbs(gradX, exp.gradX),
    ran,
    pass: true,
    failures,
  };
  if (r.spikes !== 0) failures.push(`spikes differ (max abs error ${r.spikes})`);
  if (!withinTol(v, exp.v, atol, rtol)) failures.push(`v beyond ${atol} + ${rtol}*|v| (max abs error ${r.v.toExponential(2)})`);
  if (!withinTol(gradX, exp.gradX, atol, rtol)) failures.push(`dL/dx beyond ${atol} + ${rtol}*|g| (max abs error ${r.gradX.toExponential(2)})`);
  if (c.wState !== undefined) {
    const expW = c.wState.flat();
    if (!wState) failures.push(`the case expects a second state variable (wState) but neuron "${compiled.kind}" has only v`);
    else {
      r.wState = maxAbs(wState, expW);
      if (!withinTol(wState, expW, atol, rtol)) failures.push(`${compiled.stateNames[1]} (wState) beyond ${atol} + ${rtol}*|w| (max abs error ${r.wState.toExponential(2)})`);
    }
  }
  const expectedGrads: Array<[string, number, number | undefined]> = [];
  if (c.gradW !== undefined) expectedGrads.push([compiled.paramNames[0] ?? 'w', c.gradW, c.w]);
  for (const [name, g] of Object.entries(c.gradParams ?? {})) if (!(c.gradW !== undefined && name === compiled.paramNames[0])) expectedGrads.push([name, g, c.params?.[name]]);
  for (const [name, expected, init] of expectedGrads) {
    const k = compiled.paramNames.indexOf(name);
    if (k < 0) {
      failures.push(`the case expects dL/d${name} but neuron "${compiled.kind}" has no parameter ${name}${compiled.paramNames.length ? ` (it has ${compiled.paramNames.join(', ')})` : ''}`);
      continue;
    }
    if (init !== undefined && Math.abs(compiled.paramInit[k] - init) > 1e-6) failures.push(`initial ${name} ${compiled.paramInit[k]} differs from the case's ${init}`);
    const err = Math.abs(gradParams[k] - expected);
    r.gradW = Math.max(r.gradW ?? 0, err);
    if (!(err <= paramRtol * Math.abs(expected) + 1e-7)) failures.push(`dL/d${name} ${gradParams[k]} vs ${expected} beyond relative ${paramRtol}`);
  }
  r.pass = failures.length === 0;
  return r;
}

/** One line per case: name, max abs errors, PASS/FAIL with reasons. */
export function formatCaseResult(r: CaseResult): string {
  const e = (n: number | undefined) => (n === undefined ? '-' : n.toExponential(2));
  return `${r.pass ? 'PASS' : 'FAIL'}  ${r.name.padEnd(24)} spikes ${e(r.spikes)}  v ${e(r.v)}  w ${e(r.wState)}  dL/dx ${e(r.gradX)}  dL/dp ${e(r.gradW)}  [${r.ran}]${r.pass ? '' : '  ' + r.failures.join('; ')}`;
}

/**
 * One column of a neuron simulated in float64 from the step IR: the smallest distance of H from the
 * threshold over its steps (cases keep it above a margin so that float32 implementations agree on
 * every spike), and how many steps spiked.
 */
function hostRun(n: CompiledNeuron, xs: number[], params: number[]): { margin: number; spikes: number } {
  const ir = n.ir;
  const vars: Record<string, number> = {};
  for (const c of ir.invariants) vars[c.name] = evalNumber(c.expr, params, vars);
  let z = [...ir.init];
  let margin = Infinity;
  let spikes = 0;
  const F = neuronStep.forward;
  for (const x of xs) {
    vars[F.reads.input] = x;
    z.forEach((zi, i) => (vars[F.reads.state(i)] = zi));
    for (const s of ir.forward) vars[s.name] = evalNumber(s.expr, params, vars);
    const th = vars[F.defines.threshold] ?? n.vThreshold;
    margin = Math.min(margin, Math.abs(vars[F.defines.charge] - th) / Math.max(1, Math.abs(th)));
    if (vars[F.defines.charge] >= th) spikes++;
    z = z.map((_, i) => Math.fround(vars[F.writes.state(i)]));
  }
  return { margin, spikes };
}

/** The share of steps that spike the generated cases aim for when the input scale is 'auto'. */
export const TARGET_SPIKE_RATE: [number, number] = [0.1, 0.3];
const SCALES = Array.from({ length: 15 }, (_, k) => 2 ** (k - 4)); // 1/16 .. 1024

/**
 * The input scale for a neuron: 1 when its spike rate is already within TARGET_SPIKE_RATE, else the
 * power of two whose rate is closest to the middle of it (a resonator, or a neuron with a high
 * threshold, can need far more input than a LIF).
 */
function autoInputScale(n: CompiledNeuron, T: number, N: number, range: [number, number], seed: number): number {
  const [lo, hi] = TARGET_SPIKE_RATE;
  const rateAt = (scale: number) => {
    const rand = seededRandom(seed);
    let spikes = 0;
    for (let m = 0; m < N; m++) spikes += hostRun(n, Array.from({ length: T }, () => scale * (range[0] + (range[1] - range[0]) * rand())), n.paramInit).spikes;
    return spikes / (T * N);
  };
  const one = rateAt(1);
  if (one >= lo && one <= hi) return 1;
  let best = 1;
  let bestDistance = Math.abs(one - (lo + hi) / 2);
  for (const scale of SCALES) {
    const distance = Math.abs(rateAt(scale) - (lo + hi) / 2);
    if (distance < bestDistance) [best, bestDistance] = [scale, distance];
  }
  return best;
}

export interface GenerateOptions {
  /** Neuron layer configs (spikeflow spec fields; surrogate as { kind, ... }), one case each. */
  layers: Array<Record<string, unknown> & { neuron: string }>;
  T?: number;
  N?: number;
  seed?: number;
  /** Input current: uniform in [low, high) times inputScale. Default [-0.5, 1.5). */
  inputRange?: [number, number];
  /**
   * Multiplies the input current. 'auto' (the default) picks, per case, 1 or the power of two that
   * makes 10-30% of the steps spike (TARGET_SPIKE_RATE); the scale used is in the case's inputScale.
   */
  inputScale?: number | 'auto';
  registry?: Registry;
}

/**
 * Writes reference vectors for neuron layers from the reference op (tfjs ops) on the current
 * backend: random inputs (each H at least 1e-4 from the threshold) and output gradients, and the
 * expected spikes, v, second state variable, dL/dx and dL/dparam.
 */
export async function generateNeuronVectors(o: GenerateOptions): Promise<NeuronVectorFile> {
  const T = o.T ?? 8;
  const N = o.N ?? 32;
  const [low, high] = o.inputRange ?? [-0.5, 1.5];
  const reg = o.registry ?? sharedRegistry;
  const cases: NeuronVectorCase[] = [];
  for (const [index, layer] of o.layers.entries()) {
    const rand = seededRandom((o.seed ?? 1) * 1000 + index);
    const { surrogate, kind: _kind, ...rest } = layer as Record<string, unknown> & { surrogate?: { kind: string } };
    const { kind: surrogateKind, ...surrogateOptions } = (surrogate ?? { kind: 'atan' }) as { kind: string };
    const config = { ...rest, surrogate: { name: surrogateKind, ...surrogateOptions } } as NeuronVectorCase['config'];
    const compiled = compileCaseNeuron({ config, T, N }, reg);
    const scale = o.inputScale === undefined || o.inputScale === 'auto' ? autoInputScale(compiled, T, N, [low, high], (o.seed ?? 1) * 1000 + index) : o.inputScale;
    if (!(scale > 0 && Number.isFinite(scale))) throw new Error(`generate: inputScale must be a number > 0 or 'auto', got ${String(o.inputScale)}`);
    const columns: number[][] = [];
    for (let m = 0; m < N; m++) {
      let col: number[] = [];
      for (let attempt = 0; attempt < 200; attempt++) {
        col = Array.from({ length: T }, () => scale * (low + (high - low) * rand()));
        if (hostRun(compiled, col, compiled.paramInit).margin >= 1e-4) break;
        if (attempt === 199) throw new Error(`generate: neuron "${compiled.kind}" (case ${index}): no input keeps H 1e-4 away from the threshold after 200 tries; change the input scale`);
      }
      columns.push(col);
    }
    const rows = (f: (t: number, m: number) => number) => Array.from({ length: T }, (_, t) => Array.from({ length: N }, (_, m) => f(t, m)));
    const x = rows((t, m) => Math.fround(columns[m][t]));
    const gradSpikes = rows(() => Math.fround(2 * rand() - 1));
    const gradV = rows(() => Math.fround(2 * rand() - 1));
    const c: NeuronVectorCase = {
      name: `${compiled.kind}-${index}`,
      config,
      T,
      N,
      inputScale: scale,
      x,
      gradSpikes,
      gradV,
      spikes: [],
      v: [],
      gradX: [],
    };
    const expected = await expectedFromReference(c, compiled);
    cases.push({ ...c, ...expected });
  }
  return { source: `spikeflow reference op (tfjs ${tf.version_core}, backend ${tf.getBackend()}, float32)`, loss: 'L = sum(spikes*gradSpikes) + sum(v*gradV)', cases };
}

async function expectedFromReference(c: NeuronVectorCase, n: CompiledNeuron): Promise<Partial<NeuronVectorCase>> {
  const { T, N } = c;
  const x = tf.tensor2d(c.x.flat(), [T, N]);
  const gS = tf.tensor2d(c.gradSpikes.flat(), [T, N]);
  const gV = tf.tensor2d(c.gradV.flat(), [T, N]);
  const params = n.paramInit.map((p) => tf.scalar(p));
  const out = runNeuron(n, x, params, true, 'reference');
  const values = Array.from((await out.data()) as Float32Array);
  const grads = tf.grads((xIn: tf.Tensor, ...ps: tf.Tensor[]) => {
    const o = runNeuron(n, xIn as tf.Tensor2D, ps, true, 'reference');
    const [s, v] = tf.unstack(o);
    return tf.add(tf.sum(tf.mul(s, gS)), tf.sum(tf.mul(v, gV))) as tf.Scalar;
  })([x, ...params]);
  const gX = Array.from((await grads[0].data()) as Float32Array);
  const gP = await Promise.all(grads.slice(1).map(async (g) => (await g.data())[0]));
  tf.dispose([x, gS, gV, out, ...params, ...grads]);
  const TN = T * N;
  const rows = (flat: number[], offset: number) => Array.from({ length: T }, (_, t) => flat.slice(offset + t * N, offset + (t + 1) * N));
  const r: Partial<NeuronVectorCase> = { spikes: rows(values, 0), v: rows(values, TN), gradX: rows(gX, 0) };
  if (n.stateNames.length > 1) r.wState = rows(values, 2 * TN);
  if (n.paramNames.length > 0) {
    r.params = Object.fromEntries(n.paramNames.map((p, k) => [p, n.paramInit[k]]));
    r.gradParams = Object.fromEntries(n.paramNames.map((p, k) => [p, gP[k]]));
  }
  return r;
}
