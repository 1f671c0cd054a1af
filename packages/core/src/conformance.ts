import * as tf from '@tensorflow/tfjs';
import { parseSpec } from '@spikeflow/spec';
import { compileNeuron, type NeuronCommonOptions } from './plugins.js';
import { registry as sharedRegistry, type Registry } from './registry.js';
import { neuronImplementation, runNeuron } from './neuron-op.js';

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
  w?: number;
  gradW?: number;
}
export interface NeuronVectorFile {
  source?: string;
  cases: NeuronVectorCase[];
}

/** Tolerances: spikes exact; v and dL/dx abs + rel; dL/dw (a sum over T*N terms) relative. */
export const CONFORMANCE_TOLERANCE = { atol: 1e-5, rtol: 1e-5, paramRtol: 1e-4 };

export interface CaseResult {
  name: string;
  /** Max abs error per quantity (gradW absent for neurons without parameters). */
  spikes: number;
  v: number;
  gradX: number;
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

function maxAbs(a: Float32Array | number[], b: number[]): number {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
function withinTol(a: Float32Array | number[], b: number[], atol: number, rtol: number): boolean {
  for (let i = 0; i < b.length; i++) if (!(Math.abs(a[i] - b[i]) <= atol + rtol * Math.abs(b[i]))) return false;
  return true;
}

/**
 * Runs one case on the current tfjs backend through the multi-step neuron op (fused where the
 * backend registered a kernel) and compares spikes, v, dL/dx and dL/dw with the expected values.
 */
export async function runNeuronCase(c: NeuronVectorCase, registry: Registry = sharedRegistry, implementation?: 'reference'): Promise<CaseResult> {
  const layer = neuronLayerFromVectorConfig(c.config);
  const spec = parseSpec({ input: { shape: [c.N] }, timeSteps: c.T, layers: [layer] }, registry.catalog());
  const opts = spec.layers[0] as unknown as Record<string, unknown> & NeuronCommonOptions;
  const surrogateOpts = opts.surrogate as { kind: string } & Record<string, unknown>;
  const compiled = compileNeuron(registry.neurons.get(opts.neuron as string)!, registry.surrogates.get(surrogateOpts.kind)!, opts, surrogateOpts);
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
  const [spikesT, vT] = tf.unstack(out);
  const grads = tf.grads(f)([x, ...params]);
  const spikes = (await spikesT.data()) as Float32Array;
  const v = (await vT.data()) as Float32Array;
  const gradX = (await grads[0].data()) as Float32Array;
  const gradW = grads.length > 1 ? (await grads[1].data())[0] : undefined;
  tf.dispose([x, gS, gV, ...params, out, spikesT, vT, ...grads]);

  const failures: string[] = [];
  const { atol, rtol, paramRtol } = CONFORMANCE_TOLERANCE;
  const exp = { spikes: c.spikes.flat(), v: c.v.flat(), gradX: c.gradX.flat() };
  const r: CaseResult = {
    name: c.name,
    spikes: maxAbs(spikes, exp.spikes),
    v: maxAbs(v, exp.v),
    gradX: maxAbs(gradX, exp.gradX),
    ran: `${tf.getBackend()}/${implementation ?? neuronImplementation(compiled)}`,
    pass: true,
    failures,
  };
  if (r.spikes !== 0) failures.push(`spikes differ (max abs error ${r.spikes})`);
  if (!withinTol(v, exp.v, atol, rtol)) failures.push(`v beyond ${atol} + ${rtol}*|v| (max abs error ${r.v.toExponential(2)})`);
  if (!withinTol(gradX, exp.gradX, atol, rtol)) failures.push(`dL/dx beyond ${atol} + ${rtol}*|g| (max abs error ${r.gradX.toExponential(2)})`);
  if (c.gradW !== undefined) {
    if (c.w !== undefined && Math.abs(compiled.paramInit[0] - c.w) > 1e-6) failures.push(`initial w ${compiled.paramInit[0]} differs from the case's ${c.w}`);
    if (gradW === undefined) failures.push('the case expects dL/dw but the neuron has no parameter');
    else {
      r.gradW = Math.abs(gradW - c.gradW);
      if (!(r.gradW <= paramRtol * Math.abs(c.gradW))) failures.push(`dL/dw ${gradW} vs ${c.gradW} beyond relative ${paramRtol}`);
    }
  }
  r.pass = failures.length === 0;
  return r;
}

/** One line per case: name, max abs errors, PASS/FAIL with reasons. */
export function formatCaseResult(r: CaseResult): string {
  const e = (n: number | undefined) => (n === undefined ? '-' : n.toExponential(2));
  return `${r.pass ? 'PASS' : 'FAIL'}  ${r.name.padEnd(24)} spikes ${e(r.spikes)}  v ${e(r.v)}  dL/dx ${e(r.gradX)}  dL/dw ${e(r.gradW)}  [${r.ran}]${r.pass ? '' : '  ' + r.failures.join('; ')}`;
}
