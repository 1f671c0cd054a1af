// The packed inference engine: compileInference(network) reads a trained network once; predict()
// runs samples through its stages one at a time (each stage owns one output buffer, reused), in
// plain JavaScript on typed arrays, in Node and in browsers.
import { compileStages, type CompiledStages, type CompileOptions } from './compile.js';
import type { Stage, StageCounters, StageMode } from './stage.js';
import type { SpikeKernel } from './stages/linear.js';
import { spikeAt, type Value } from './values.js';
import type { PackableNetwork } from './snapshot.js';

export interface PredictOptions {
  /** Time each stage (adds a clock read per stage and sample). Default false. */
  timing?: boolean;
}

export interface PackedPrediction {
  /** Class of each sample: the first largest score. */
  predictions: Int32Array;
  /** Mean of the last layer's output over T, [count, outputs] (the float network's predict()). */
  scores: Float32Array;
  outputs: number;
  /** Spikes of the last neuron layer summed over T, [count, neurons]. */
  outputCounts: Uint16Array;
  neurons: number;
}

export interface LayerCost {
  layer: string;
  kind: string;
  mode: StageMode | 'folded';
  note?: string;
  /** Per sample: accumulations done (SynOps on spikes, multiply-adds on real values). */
  synOps: number;
  /** Per sample: multiply-adds the float network does for this layer. */
  denseMacs: number;
  /** Neuron layers: spikes / (neurons * T). */
  firingRate?: number;
  /** Per sample: bytes of the layer's output as stored here, and as float32 over T. */
  bytes: number;
  floatBytes: number;
  /** Milliseconds per sample (when predict ran with timing). */
  ms?: number;
  /** Layers fed by spikes under WebAssembly SIMD: the kernel that reads them. */
  kernel?: SpikeKernel;
}

export interface CostReport {
  samples: number;
  layers: LayerCost[];
  total: { synOps: number; denseMacs: number; bytes: number; floatBytes: number; ms?: number };
}

export class PackedNetwork {
  readonly timeSteps: number;
  readonly inputSize: number;
  private readonly compiled: CompiledStages;
  private readonly counters: StageCounters[];
  private samples = 0;
  private timed = 0;

  constructor(compiled: CompiledStages, timeSteps: number) {
    this.compiled = compiled;
    this.timeSteps = timeSteps;
    this.inputSize = compiled.input.data.length;
    this.counters = compiled.stages.map(() => ({ synOps: 0, spikes: 0, ms: 0 }));
  }

  /** Whether the conv and dense layers run WebAssembly SIMD kernels (else JavaScript loops). */
  get simd(): boolean {
    return this.compiled.simd;
  }

  get stages(): readonly Stage[] {
    return this.compiled.stages;
  }

  /** Layers that run float although they have a packed form, with why (the first layer, a conv after average pooling...). */
  floatLayers(): Array<{ layer: string; why: string }> {
    return this.compiled.stages.filter((s) => s.mode === 'float').map((s) => ({ layer: s.layer, why: s.note ?? 'runs float' }));
  }

  /** Runs `count` samples, [count, ...inputShape] flat (the network's input, as Network.forward takes it). */
  predict(images: Float32Array, count = images.length / this.inputSize, options: PredictOptions = {}): PackedPrediction {
    if (!Number.isInteger(count) || count < 0 || images.length < count * this.inputSize) {
      throw new Error(`predict: expected ${count} samples of ${this.inputSize} values (${count * this.inputSize}), got ${images.length} values`);
    }
    const result = this.emptyPrediction(count);
    this.predictInto(images, count, result, 0, options);
    return result;
  }

  /** Result arrays for `count` samples (plain arrays, or views of shared buffers that worker threads fill). */
  emptyPrediction(count: number, memory: (bytes: number) => ArrayBufferLike = (b) => new ArrayBuffer(b)): PackedPrediction {
    const outputs = perStep(this.compiled.stages[this.compiled.stages.length - 1].output);
    const neurons = this.compiled.lastNeuron?.neurons ?? 0;
    return {
      predictions: new Int32Array(memory(4 * count)),
      scores: new Float32Array(memory(4 * count * outputs)),
      outputs,
      outputCounts: new Uint16Array(memory(2 * count * neurons)),
      neurons,
    };
  }

  /** Runs `count` samples and writes their results into `result` from sample `at` on. */
  predictInto(images: Float32Array, count: number, result: PackedPrediction, at: number, options: PredictOptions = {}): void {
    const { stages, input, lastNeuron } = this.compiled;
    const last = stages[stages.length - 1].output;
    const { outputs, neurons } = result;
    const timing = options.timing === true;
    const perStepValues = new Float32Array(this.timeSteps);
    for (let s = 0; s < count; s++) {
      const n = at + s;
      input.data.set(images.subarray(s * this.inputSize, (s + 1) * this.inputSize));
      let x: Value = input;
      for (let k = 0; k < stages.length; k++) {
        const stage = stages[k];
        if (timing) {
          const t0 = performance.now();
          stage.run(x, this.counters[k]);
          this.counters[k].ms += performance.now() - t0;
        } else stage.run(x, this.counters[k]);
        x = stage.output;
      }
      const steps = last.kind === 'float' ? last.steps : this.timeSteps;
      let best = 0;
      for (let k = 0; k < outputs; k++) {
        for (let t = 0; t < steps; t++) perStepValues[t] = valueAt(last, t, k);
        const score = meanOverSteps(perStepValues, steps);
        result.scores[n * outputs + k] = score;
        if (score > result.scores[n * outputs + best]) best = k;
      }
      result.predictions[n] = best;
      if (lastNeuron) {
        const out = lastNeuron.output;
        for (let u = 0; u < neurons; u++) {
          let c = 0;
          for (let t = 0; t < out.steps; t++) c += spikeAt(out, t, u);
          result.outputCounts[n * neurons + u] = c;
        }
      }
    }
    this.samples += count;
    if (timing) this.timed += count;
  }

  /** The raw counters behind costs() (per stage, summed over samples), to merge another thread's in. */
  takeCounters(): { samples: number; timed: number; stages: StageCounters[] } {
    const taken = { samples: this.samples, timed: this.timed, stages: this.counters.map((c) => ({ ...c })) };
    this.resetCosts();
    return taken;
  }

  addCounters(from: { samples: number; timed: number; stages: StageCounters[] }): void {
    this.samples += from.samples;
    this.timed += from.timed;
    for (const [k, c] of from.stages.entries()) {
      this.counters[k].synOps += c.synOps;
      this.counters[k].spikes += c.spikes;
      this.counters[k].ms += c.ms;
    }
  }

  /** The kernel each stage fed by spikes runs (calibrate() sets them), to give other threads the same. */
  get kernelChoice(): Array<SpikeKernel | undefined> {
    return this.compiled.stages.map((s) => s.kernel);
  }

  set kernelChoice(choice: Array<SpikeKernel | undefined>) {
    for (const [k, s] of this.compiled.stages.entries()) if (s.kernels && choice[k]) s.kernel = choice[k];
  }

  /** The cost table over every sample predicted so far (per sample averages). */
  costs(): CostReport {
    const n = Math.max(this.samples, 1);
    const T = this.timeSteps;
    const layers: LayerCost[] = [];
    for (const [s, stage] of this.compiled.stages.entries()) {
      const c = this.counters[s];
      layers.push({
        layer: stage.layer,
        kind: stage.kind,
        mode: stage.mode,
        note: stage.note,
        synOps: c.synOps / n,
        denseMacs: stage.denseMacs,
        firingRate: stage.neurons ? c.spikes / (n * stage.neurons * T) : undefined,
        bytes: stage.outputBytes,
        floatBytes: stage.floatOutputBytes,
        ms: this.timed ? c.ms / this.timed : undefined,
        kernel: stage.kernel,
      });
      for (const [bn, into] of this.compiled.folded) {
        if (into === stage.layer) layers.push({ layer: bn, kind: 'batchNorm', mode: 'folded', note: `folded into ${into}`, synOps: 0, denseMacs: 0, bytes: 0, floatBytes: 0 });
      }
    }
    const sum = (k: 'synOps' | 'denseMacs' | 'bytes' | 'floatBytes') => layers.reduce((a, l) => a + l[k], 0);
    const ms = this.timed ? layers.reduce((a, l) => a + (l.ms ?? 0), 0) : undefined;
    return { samples: this.samples, layers, total: { synOps: sum('synOps'), denseMacs: sum('denseMacs'), bytes: sum('bytes'), floatBytes: sum('floatBytes'), ms } };
  }

  /**
   * Bytes the engine works in to predict `count` samples: every stage's output and scratch buffers
   * (allocated once, reused for each sample), the input buffer and the results. Weights not included.
   */
  workingBytes(count: number): number {
    const buffers = new Set<ArrayBufferLike>([this.compiled.input.data.buffer]);
    let bytes = 0;
    for (const s of this.compiled.stages) {
      if (!buffers.has(s.output.data.buffer)) {
        buffers.add(s.output.data.buffer);
        bytes += s.output.data.byteLength;
      }
      bytes += s.scratchBytes ?? 0;
    }
    const last = this.compiled.stages[this.compiled.stages.length - 1].output;
    const results = count * (4 + 4 * perStep(last) + 2 * (this.compiled.lastNeuron?.neurons ?? 0));
    return bytes + this.compiled.input.data.byteLength + results;
  }

  /**
   * Measures, per layer fed by spikes, the event-driven kernel against the bit-mask kernel on these
   * samples (the firing rates they cause) and keeps the faster. Both give the same output. Returns
   * the milliseconds per sample of each (the median over the samples) and the choice.
   */
  calibrate(images: Float32Array, count = images.length / this.inputSize): Array<{ layer: string; events: number; bitmask: number; chosen: SpikeKernel }> {
    const { stages, input } = this.compiled;
    const times = stages.map(() => ({ events: [] as number[], bitmask: [] as number[] }));
    const scratch: StageCounters = { synOps: 0, spikes: 0, ms: 0 };
    for (let n = 0; n < count; n++) {
      input.data.set(images.subarray(n * this.inputSize, (n + 1) * this.inputSize));
      let x: Value = input;
      for (const [s, stage] of stages.entries()) {
        if (stage.kernels) {
          // Alternate the order per sample, so that neither kernel always finds the cache warm.
          const order: SpikeKernel[] = n % 2 === 0 ? ['events', 'bitmask'] : ['bitmask', 'events'];
          for (const k of order) {
            const t0 = performance.now();
            stage.kernels[k](x);
            times[s][k].push(performance.now() - t0);
          }
        } else stage.run(x, scratch);
        x = stage.output;
      }
    }
    const report: Array<{ layer: string; events: number; bitmask: number; chosen: SpikeKernel }> = [];
    for (const [s, stage] of stages.entries()) {
      if (!stage.kernels) continue;
      const choice = chooseKernel(times[s]);
      stage.kernel = choice.chosen;
      report.push({ layer: stage.layer, ...choice });
    }
    return report;
  }

  /** Clears the counters behind costs(). */
  resetCosts(): void {
    for (const c of this.counters) Object.assign(c, { synOps: 0, spikes: 0, ms: 0 });
    this.samples = 0;
    this.timed = 0;
  }
}

const f = Math.fround;

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The faster kernel from the milliseconds of each call: by the median, not the sum, so that a call
 * the operating system stalled (a loaded machine preempts the process for milliseconds at a time)
 * cannot make a kernel several times faster look slower. Ties go to the event-driven kernel.
 */
export function chooseKernel(times: Record<SpikeKernel, number[]>): { events: number; bitmask: number; chosen: SpikeKernel } {
  const events = median(times.events);
  const bitmask = median(times.bitmask);
  return { events, bitmask, chosen: bitmask < events ? 'bitmask' : 'events' };
}

/**
 * The mean over T of one output, in float32 as the float network takes it on wasm (average pooling
 * over the leading axis): up to 9 steps summed in the pairing of XNNPACK's 9-input kernel, more in
 * order; then times float32(1 / T).
 */
export function meanOverSteps(x: Float32Array, T: number): number {
  let sum: number;
  if (T <= 9) {
    const v = (i: number) => (i < T ? x[i] : 0);
    const s01 = f(v(0) + v(1));
    const s23 = f(v(2) + v(3));
    const s45 = f(v(4) + v(5));
    const s67 = f(v(6) + v(7));
    const s018 = f(s01 + v(8));
    const s2345 = f(s23 + s45);
    const s01678 = f(s018 + s67);
    sum = f(s2345 + s01678);
  } else {
    sum = 0;
    for (let t = 0; t < T; t++) sum = f(sum + x[t]);
  }
  return f(sum * f(1 / T));
}

const perStep = (v: Value) => v.shape.reduce((a, b) => a * b, 1);

function valueAt(v: Value, t: number, k: number): number {
  if (v.kind === 'spikes') return spikeAt(v, t, k);
  return v.data[(v.steps === 1 ? 0 : t) * perStep(v) + k];
}

/**
 * Compiles a trained network for packed inference. Reads its weights once (asynchronously, so any
 * tfjs backend's variables can be read). Throws a PackError naming the layer it cannot run and why.
 */
export async function compileInference(network: PackableNetwork, options: CompileOptions = {}): Promise<PackedNetwork> {
  return new PackedNetwork(await compileStages(network, options), network.timeSteps);
}
