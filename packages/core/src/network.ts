import * as tf from '@tensorflow/tfjs';
import { layerShapes, resolveGraph, SpecError, type ModelSpec, type NormalizedModelSpec, type SpecIssue, type ValidatedModelSpec } from '@spikeflow/spec';
import { ShapeError } from './errors.js';
import { makeVariable, type ForwardContext, type Layer, type LayerVariable } from './layers.js';
import { registry as sharedRegistry, type Registry } from './registry.js';
import { checkCheckpointEvery } from './neuron-op.js';
import { reshapeKeepingNothing } from './spike-storage.js';
import { validate } from './validate.js';

export interface BuildOptions {
  /** Plugins to build with; default the shared registry that `use()` fills. */
  registry?: Registry;
  /** Seed of the weight initialisation (same seed, same weights). */
  seed?: number;
  /**
   * Memory-lean BPTT for long T: neuron layers keep their state only before every k-th step for the
   * backward pass and recompute the steps between there (bit-identical gradients, some more
   * compute). Default 0: keep every step. Each forward pass may override it.
   */
  checkpointEvery?: number;
}

export interface ForwardOptions {
  /** Training mode: batch statistics in batch norm, dropout active. Default false. */
  training?: boolean;
  /** Neuron layers (by name) whose spikes and membrane potentials to record. */
  record?: readonly string[];
  /**
   * Seed of this pass's random draws (dropout masks, Poisson spikes). Default: the next seed of the
   * network's own stream, which starts at the build seed, so a run repeats exactly for a seed.
   */
  seed?: number;
  /** Overrides the network's checkpointEvery (BuildOptions) for this pass; 0 keeps every step. */
  checkpointEvery?: number;
}

export interface ForwardResult {
  /** Output of the last layer at every step: [T, N, ...outputShape]. */
  output: tf.Tensor;
  /** Recorded neuron layers: spikes and v, each [T, N, ...features]. The caller disposes them. */
  records: Map<string, { spikes: tf.Tensor; v?: tf.Tensor }>;
}

/** A built spiking network: layers with their variables, run over T steps. */
export class Network {
  readonly spec: NormalizedModelSpec;
  readonly layers: Layer[];
  readonly registry: Registry;
  /** The build seed: weight initialisation and, through it, every random draw of the forward pass. */
  readonly seed: number;
  /** Passes run without an explicit seed, so each draws different (but repeatable) masks. */
  private passes = 0;
  private checkpointInterval = 0;

  constructor(spec: NormalizedModelSpec, layers: Layer[], registry: Registry, seed = DEFAULT_SEED) {
    this.spec = spec;
    this.layers = layers;
    this.registry = registry;
    this.seed = seed;
  }

  /**
   * Memory-lean BPTT: neuron layers keep their state only before every k-th step for the backward
   * pass and recompute the rest there; 0 keeps every step. See BuildOptions.checkpointEvery.
   */
  get checkpointEvery(): number {
    return this.checkpointInterval;
  }
  set checkpointEvery(k: number) {
    checkCheckpointEvery(k);
    this.checkpointInterval = k ?? 0;
  }

  get timeSteps(): number {
    return this.spec.timeSteps;
  }

  /** Every variable with its stable name (`${layer}/${param}`), trainable or not. */
  namedVariables(): LayerVariable[] {
    return this.layers.flatMap((l) => l.variables);
  }

  trainableVariables(): tf.Variable[] {
    return this.trainableNamedVariables().map((v) => v.variable);
  }

  trainableNamedVariables(): LayerVariable[] {
    return this.namedVariables().filter((v) => v.trainable);
  }

  /** Per-sample output shape of the last layer (e.g. [10] for 10 classes). */
  outputShape(): number[] {
    return this.layers[this.layers.length - 1].outputShape;
  }

  /** The expected input shape: [N, ...shape] for static encoders, [T, N, ...shape] for sequences. */
  inputShape(): Array<number | string> {
    const shape = this.spec.input.shape;
    return this.spec.encoder.kind === 'sequence' ? ['T', 'N', ...shape] : ['N', ...shape];
  }

  /** Runs all T steps. Input: [N, ...shape] (direct, poisson) or [T, N, ...shape] (sequence). */
  forward(input: tf.Tensor, options: ForwardOptions = {}): ForwardResult {
    const { T, N } = this.checkInput(input);
    const records: ForwardResult['records'] = new Map();
    const record = new Set(options.record ?? []);
    for (const name of record) {
      const layer = this.layers.find((l) => l.name === name);
      if (!layer || !layer.neuron) {
        const names = this.layers.filter((l) => l.neuron).map((l) => l.name);
        throw new Error(`record: "${name}" is not a neuron layer of this network; neuron layers: ${names.join(', ')}`);
      }
    }
    const training = options.training ?? false;
    if (options.checkpointEvery !== undefined) checkCheckpointEvery(options.checkpointEvery, 'forward: checkpointEvery');
    const checkpointEvery = options.checkpointEvery ?? this.checkpointInterval;
    const seed = options.seed ?? mixSeed(this.seed, 0x3c6ef372 + this.passes++);
    let draws = 0;
    const random = (shape: number[]) => tf.randomUniform(shape, 0, 1, 'float32', mixSeed(seed, draws++));
    const ctx: ForwardContext = { T, N, training, record, records, repeat: 1, random, checkpointEvery };
    const output = tf.tidy(() => {
      // Every layer's output, [T*N, ...] or, while static, [N, ...]. With the direct encoder the
      // input is the same at every step, and so is the output of every stateless layer that reads
      // only such values: those run once on [N, ...] and are repeated T times where a stateful
      // layer (or the output) needs them.
      const direct = this.spec.encoder.kind === 'direct';
      const input_ = direct ? input : this.encode(input, T, random);
      const values: tf.Tensor[] = [];
      const isStatic: boolean[] = [];
      // Whether each value is spikes (0/1), so consumers may keep them as bool for their gradient.
      const isSpikes: boolean[] = [];
      const repeated = new Map<number, tf.Tensor>();
      const value = (j: number) => (j < 0 ? input_ : values[j]);
      const staticAt = (j: number) => (j < 0 ? direct : isStatic[j]);
      const overAllSteps = (j: number) => {
        if (!staticAt(j)) return value(j);
        if (!repeated.has(j)) repeated.set(j, repeatSteps(value(j), T));
        return repeated.get(j)!;
      };
      const prefixCtx: ForwardContext = { ...ctx, T: 1, repeat: T };
      // Each value is freed once the last layer reading it has run (with its copy repeated over T),
      // not when the whole pass ends: what the backward pass needs, the layers keep themselves.
      const last = this.layers.length - 1;
      const lastReader = new Map<number, number>();
      this.layers.forEach((l, i) => l.inputs.forEach((j) => lastReader.set(j, i)));
      const released = new Set<number>();
      const stillRead = (t: tf.Tensor, except: number) =>
        t === input_ || values.some((v, m) => v === t && m !== except && !released.has(m)) || [...repeated.entries()].some(([m, r]) => r === t && m !== except);
      const release = (j: number) => {
        released.add(j);
        const copy = repeated.get(j);
        repeated.delete(j);
        for (const t of [values[j], copy]) if (t && !stillRead(t, j)) t.dispose();
      };
      for (const [i, layer] of this.layers.entries()) {
        const fromStatic = layer.stateless && layer.inputs.every(staticAt);
        const spikingInput = layer.inputs.every((j) => j >= 0 && isSpikes[j]);
        // Memory-lean BPTT: a layer that can take the static [N, ...] value keeps it instead of T copies.
        const staticInput = !fromStatic && checkpointEvery > 0 && layer.takesStaticInput === true && layer.inputs.length === 1
          && staticAt(layer.inputs[0]) && !record.has(layer.name);
        let layerCtx: ForwardContext;
        if (fromStatic) layerCtx = prefixCtx;
        else {
          ctx.spikingInput = spikingInput;
          ctx.staticInput = staticInput;
          layerCtx = ctx;
        }
        const xs = layer.inputs.map(fromStatic || staticInput ? value : overAllSteps);
        // One scope per layer: its intermediate tensors go as soon as it returns.
        values[i] = tf.tidy(() => {
          const out = layer.applyMany ? layer.applyMany(xs, layerCtx) : layer.apply(xs[0], layerCtx);
          for (const r of records.values()) {
            tf.keep(r.spikes);
            if (r.v) tf.keep(r.v);
          }
          return out;
        });
        isStatic[i] = fromStatic;
        isSpikes[i] = layer.emitsSpikes === true || (spikingInput && layer.passesSpikes === true);
        for (const j of new Set(layer.inputs)) if (j >= 0 && j !== last && lastReader.get(j) === i) release(j);
      }
      for (const r of records.values()) {
        tf.keep(r.spikes);
        if (r.v) tf.keep(r.v);
      }
      return unfold(overAllSteps(this.layers.length - 1), T);
    });
    return { output, records };
  }

  /** Mean output over T (the firing rate of the last layer, or the votes): [N, ...outputShape]. */
  predict(input: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.mean(this.forward(input).output, 0));
  }

  /**
   * The trainable scalars of every neuron layer and what the plugin derives from them
   * (PLIF: { w, tau }). Reads the values from the device (async, never a synchronous read).
   */
  async neuronParameters(): Promise<Record<string, Record<string, number>>> {
    const out: Record<string, Record<string, number>> = {};
    for (const layer of this.layers) {
      if (!layer.neuron || layer.variables.length === 0) continue;
      const values: Record<string, number> = {};
      for (const [i, name] of layer.neuron.paramNames.entries()) values[name] = (await layer.variables[i].variable.data())[0];
      const plugin = this.registry.neurons.get(layer.neuron.kind);
      out[layer.name] = { ...values, ...(plugin?.derived?.(values) ?? {}) };
    }
    return out;
  }

  dispose(): void {
    for (const v of this.namedVariables()) v.variable.dispose();
  }

  /** Throws a ShapeError unless `input` fits the spec; returns its steps T and batch size N. */
  checkInput(input: tf.Tensor): { T: number; N: number } {
    if (!(input instanceof tf.Tensor)) throw new TypeError(`forward: expected a tf.Tensor of shape [${this.inputShape().join(', ')}], got ${typeof input}`);
    const shape = this.spec.input.shape;
    const sequence = this.spec.encoder.kind === 'sequence';
    const lead = sequence ? 2 : 1;
    const ok = input.rank === shape.length + lead && shape.every((d, i) => input.shape[i + lead] === d) && input.shape[0] > 0;
    if (!ok) {
      throw new ShapeError(
        `forward: input does not match the spec (input.shape [${shape.join(', ')}], encoder "${this.spec.encoder.kind}")`,
        this.inputShape(),
        input.shape,
      );
    }
    return sequence ? { T: input.shape[0], N: input.shape[1] as number } : { T: this.spec.timeSteps, N: input.shape[0] };
  }

  /** Sequence and Poisson inputs as [T*N, ...shape] (time folded into the batch). */
  private encode(input: tf.Tensor, T: number, random: (shape: number[]) => tf.Tensor): tf.Tensor {
    if (this.spec.encoder.kind === 'sequence') return input.reshape([T * (input.shape[1] as number), ...input.shape.slice(2)]);
    // Poisson: each step draws a spike with probability = the input value.
    const p = repeatSteps(input, T);
    return tf.cast(tf.less(random(p.shape), p), 'float32');
  }
}

const DEFAULT_SEED = 2020;

/** Mixes two integers into a 32-bit seed (murmur3's finaliser), so nearby inputs give unrelated seeds. */
export function mixSeed(a: number, b: number): number {
  let h = (Math.imul(a >>> 0, 0x85ebca6b) ^ Math.imul(b >>> 0, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** [N, ...] -> [T*N, ...], T copies (as a rank-2 tile: tfjs has no Tile gradient above rank 4). */
function repeatSteps(x: tf.Tensor, T: number): tf.Tensor {
  return reshapeKeepingNothing(tf.tile(x.reshape([1, x.size]), [T, 1]), [T * x.shape[0], ...x.shape.slice(1)]);
}

function unfold(x: tf.Tensor, T: number): tf.Tensor {
  return x.reshape([T, x.shape[0] / T, ...x.shape.slice(1)]);
}

/**
 * Builds a network from a typed spec, or from JSON through `build(parseSpec(json))`. The spec is
 * validated first; a SpecError names the path of any problem.
 */
// Two signatures, not one union parameter: against `ModelSpec | ValidatedModelSpec`, tsc matched a
// misspelt object literal to ValidatedModelSpec and reported only "missing format, timeSteps,
// encoder"; the ModelSpec signature, tried first, names the misspelt key ("Did you mean to write
// 'initTau'?").
export function build(spec: ModelSpec, options?: BuildOptions): Network;
export function build(spec: ValidatedModelSpec, options?: BuildOptions): Network;
export function build(spec: ModelSpec | ValidatedModelSpec, options: BuildOptions = {}): Network {
  const registry = options.registry ?? sharedRegistry;
  const normalized = validate(spec, registry);
  const shapes = layerShapes(normalized, registry.catalog());
  const issues: SpecIssue[] = [];
  const graph = resolveGraph(normalized.layers, issues);
  if (issues.length > 0) throw new SpecError(issues);
  checkCheckpointEvery(options.checkpointEvery, 'build: checkpointEvery');
  const buildSeed = options.seed ?? DEFAULT_SEED;
  let seed = buildSeed;
  const uniform = (shape: number[], bound: number) => tf.randomUniform(shape, -bound, bound, 'float32', seed++);
  const layers = normalized.layers.map((spec, i): Layer => {
    const kind = registry.layers.get(spec.kind)!;
    const name = graph.names[i];
    const inputs = graph.inputs[i];
    const inputShapes = inputs.map((j) => (j < 0 ? normalized.input.shape : shapes[j]));
    const variable = (param: string, init: tf.Tensor, trainable?: boolean) => makeVariable(`${name}/${param}`, init, trainable);
    const runtime = kind.build({ spec, name, inputShape: inputShapes[0], inputShapes, outputShape: shapes[i], registry, uniform, variable });
    return { ...runtime, variables: runtime.variables ?? [], name, kind: spec.kind, spec, outputShape: shapes[i], inputs, stateless: kind.stateless };
  });
  const network = new Network(normalized, layers, registry, buildSeed);
  network.checkpointEvery = options.checkpointEvery ?? 0;
  return network;
}
