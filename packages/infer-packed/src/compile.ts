// Turns a trained Network into stages that run on packed spikes: reads its weights once, decides per
// layer whether it runs on packed spikes or on real values, and refuses (PackError, naming the
// layer) what it has no form for.
import { PackError } from './errors.js';
import { Arena } from './arena.js';
import { convGeometry } from './stages/conv.js';
import { batchNormInPlace, type BatchNormValues } from './stages/epilogue.js';
import { denseGeometry, linearRun } from './stages/linear.js';
import { instantiateConvKernels } from './wasm/conv-kernel.js';
import { instantiateNeuronStep } from './wasm/neuron-module.js';
import { avgPoolSpikes, maxPoolSpikes, poolFloat, poolGeometry, windowTable } from './stages/pool.js';
import { vote } from './stages/voting.js';
import type { PackableLayer, PackableNetwork } from './snapshot.js';
import { inexactReason, packedNeuronStep } from './neuron-kernel.js';
import type { Stage } from './stage.js';
import { floatValue, spikeValue, type FloatValue, type SpikeValue, type Value } from './values.js';

const pair = (v: unknown): [number, number] => (Array.isArray(v) ? [v[0], v[1]] : [v as number, v as number]);
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

async function values(layer: PackableLayer, param: string): Promise<Float32Array> {
  const v = layer.variables.find((x) => x.name === `${layer.name}/${param}`);
  if (!v) throw new PackError(layer.name, `has no variable "${param}"`);
  return Float32Array.from(await v.variable.data() as ArrayLike<number>);
}

async function batchNormOf(layer: PackableLayer): Promise<BatchNormValues> {
  return {
    mean: await values(layer, 'movingMean'),
    variance: await values(layer, 'movingVariance'),
    gamma: await values(layer, 'gamma'),
    beta: await values(layer, 'beta'),
    epsilon: layer.spec.epsilon as number,
  };
}

/** Spikes as 0/1 real values (for a layer that has no form on packed spikes but follows one that emits them). */
function unpack(s: SpikeValue, out: FloatValue): void {
  const { positions, channels, words } = s;
  for (let t = 0; t < s.steps; t++) {
    for (let p = 0; p < positions; p++) {
      for (let c = 0; c < channels; c++) {
        out.data[(t * positions + p) * channels + c] = (s.data[(t * positions + p) * words + (c >>> 5)] >>> (c & 31)) & 1;
      }
    }
  }
}

/** Bytes of a value per sample, and as float32 values over all T steps. */
const bytesOf = (v: Value, T: number) => ({ outputBytes: v.data.byteLength, floatOutputBytes: 4 * T * size(v.shape) });

export interface CompiledStages {
  stages: Stage[];
  /** Layers merged into the stage before them (batch norm after a conv or dense layer), by name. */
  folded: Map<string, string>;
  input: FloatValue;
  /** The stage of the last neuron layer: its spikes are the output spike counts. */
  lastNeuron?: Stage & { output: SpikeValue };
  /** Whether the conv and dense layers run WebAssembly SIMD (else JavaScript loops). */
  simd: boolean;
  /** Bytes of the memory block everything lives in (weights included). */
  arenaBytes: number;
}

export interface CompileOptions {
  /** Run the conv and dense layers in JavaScript even where WebAssembly SIMD is available (to compare). */
  simd?: boolean;
}

/** An upper bound of the bytes a network's stages and weights take (the arena never grows). */
function bytesBound(network: PackableNetwork): number {
  const T = network.timeSteps;
  let bytes = 4 * size(network.spec.input.shape as number[]) + (1 << 16);
  // A batch norm's values are copied twice over (float32 mean and scale, float64 divisor and offset).
  for (const l of network.layers) for (const v of l.variables) bytes += (l.kind === 'batchNorm' ? 12 : 4) * v.variable.size + 32;
  for (const l of network.layers) bytes += 4 * T * size(l.outputShape) * (2 + (l.neuron?.ir.numStates ?? 0)) + 64;
  return bytes;
}

export async function compileStages(network: PackableNetwork, options: CompileOptions = {}): Promise<CompiledStages> {
  const T = network.timeSteps;
  const arena = new Arena(bytesBound(network));
  const kernels = options.simd !== false && arena.memory ? instantiateConvKernels(arena.memory) : undefined;
  const float = (shape: number[], steps: number) => floatValue(shape, steps, arena);
  const spiking = (shape: number[], steps: number) => spikeValue(shape, steps, arena);
  const spec = network.spec;
  if (spec.encoder.kind !== 'direct') {
    throw new PackError('input', `uses the "${spec.encoder.kind}" encoder; the packed engine runs direct-encoded networks (the same real-valued input at every step)`);
  }
  const input = float(spec.input.shape as number[], 1);
  let cur: Value = input;
  let curFrom = 'the real-valued input';
  const stages: Stage[] = [];
  const folded = new Map<string, string>();
  let lastNeuron: CompiledStages['lastNeuron'];
  const layers = network.layers;
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i];
    const into: Value = cur;
    if (layer.inputs.length !== 1 || layer.inputs[0] !== i - 1) {
      throw new PackError(layer.name, `reads ${layer.inputs.map((j) => (j < 0 ? 'the input' : layers[j].name)).join(' and ')}; the packed engine runs a plain chain of layers, each reading the one before`);
    }
    const base = { layer: layer.name, kind: layer.kind, denseMacs: 0 };
    const floatNote = () => (into.kind === 'float' ? `runs float: its input is not binary (${curFrom})` : undefined);
    const next = layers[i + 1];
    const foldNext = async () => {
      if (next?.kind !== 'batchNorm') return undefined;
      folded.set(next.name, layer.name);
      return batchNormOf(next);
    };
    const biasOf = async (l: PackableLayer) => (l.spec.useBias ? values(l, 'bias') : undefined);
    switch (layer.kind) {
      case 'conv2d':
      case 'dense': {
        const out = float(layer.outputShape, into.steps);
        const geometry = layer.kind === 'conv2d'
          ? convGeometry(into.shape, layer.outputShape, pair(layer.spec.kernelSize), pair(layer.spec.stride), layer.spec.padding)
          : denseGeometry(into, layer.outputShape[0]);
        const runs = await linearRun({ geometry, kernel: await values(layer, 'kernel'), bias: await biasOf(layer), batchNorm: await foldNext() }, into, out, arena, kernels);
        const g = geometry;
        const stage: Stage = {
          ...base, mode: into.kind === 'spikes' ? 'packed' : 'float', note: floatNote(), output: out, ...bytesOf(out, T),
          denseMacs: g.outH * g.outW * g.cout * g.kh * g.kw * g.cin * into.steps,
          kernels: runs.kernels,
          kernel: runs.kernels ? 'events' : undefined,
          run: (x, c) => (c.synOps += (stage.kernels && stage.kernel ? stage.kernels[stage.kernel] : runs.run)(x)),
        };
        stages.push(stage);
        cur = out;
        if (folded.has(next?.name)) i++;
        break;
      }
      case 'batchNorm': {
        const bn = await batchNormOf(layer);
        const channels = into.shape[into.shape.length - 1];
        const out: FloatValue = into.kind === 'float' ? into : float(into.shape, into.steps);
        stages.push({
          ...base, mode: 'float', note: 'a batch norm not right after a conv or dense layer runs on its own', output: out, ...bytesOf(out, T),
          run: (x) => {
            if (x.kind === 'spikes') unpack(x, out);
            batchNormInPlace(out.data, channels, bn);
          },
        });
        cur = out;
        break;
      }
      case 'neuron': {
        const neuron = layer.neuron;
        if (!neuron) throw new PackError(layer.name, 'is a neuron layer without compiled dynamics');
        if (layer.emitsSpikes !== true) throw new PackError(layer.name, `is a "${neuron.kind}" readout: it outputs its membrane potential, not spikes (the packed engine runs neuron layers that fire)`);
        const params = await Promise.all(neuron.paramNames.map(async (p) => (await values(layer, p))[0]));
        const { step, invariants } = packedNeuronStep(neuron, params);
        const out = spiking(layer.outputShape, T);
        const state = neuron.ir.init.map(() => arena.floats(size(layer.outputShape)));
        const real = into.kind === 'float' ? into : float(into.shape, into.steps);
        const inexact = inexactReason(neuron.ir);
        const simdStep = options.simd !== false && arena.memory ? (await instantiateNeuronStep(neuron.ir, arena.memory, out.channels)).step : undefined;
        const stage: Stage & { output: SpikeValue } = {
          ...base, mode: 'packed', note: inexact ? `not bit-identical to the float network: ${inexact}` : undefined, neurons: size(layer.outputShape),
          scratchBytes: state.reduce((a, s) => a + s.byteLength, 0) + (real === into ? 0 : real.data.byteLength),
          output: out, ...bytesOf(out, T),
          run: simdStep
            ? (x, c) => {
              if (x.kind === 'spikes') unpack(x, real);
              c.spikes += simdStep(real.data.byteOffset, real.steps, T, out.positions, out.channels, out.words, out.data.byteOffset, ...invariants);
            }
            : (x, c) => {
              if (x.kind === 'spikes') unpack(x, real);
              c.spikes += step(real.data, real.steps, T, out.positions, out.channels, out.words, state, out.data, invariants);
            },
        };
        stages.push(stage);
        lastNeuron = stage;
        cur = out;
        break;
      }
      case 'pool': {
        const kind = layer.spec.pool as string;
        if (kind !== 'max' && kind !== 'avg') throw new PackError(layer.name, `uses the pool plugin "${kind}", which has no packed form (the packed engine knows max and avg)`);
        const g = poolGeometry(into.shape, layer.outputShape, pair(layer.spec.size), pair(layer.spec.stride ?? layer.spec.size), layer.spec.padding as 'same' | 'valid');
        const table = windowTable(g);
        if (into.kind === 'spikes' && kind === 'max') {
          const out = spiking(layer.outputShape, into.steps);
          stages.push({ ...base, mode: 'packed', output: out, ...bytesOf(out, T), run: (x) => maxPoolSpikes(table, x as SpikeValue, out) });
          cur = out;
        } else if (into.kind === 'spikes') {
          const out = float(layer.outputShape, into.steps);
          stages.push({
            ...base, mode: 'packed', note: 'reads packed spikes; its output (firing fractions) is not binary, so the layers after it run float', output: out, ...bytesOf(out, T),
            run: (x) => avgPoolSpikes(table, x as SpikeValue, out),
          });
          cur = out;
        } else {
          const out = float(layer.outputShape, into.steps);
          stages.push({ ...base, mode: 'float', note: floatNote(), output: out, ...bytesOf(out, T), run: (x) => poolFloat(kind, table, x as FloatValue, out) });
          cur = out;
        }
        curFrom = kind === 'avg' ? `average pooling ${layer.name}` : curFrom;
        break;
      }
      case 'flatten':
      case 'dropout': {
        // Flatten keeps the packed layout ([H, W, C] as H*W positions); dropout is the identity at inference.
        const out: Value = { ...into, shape: layer.outputShape } as Value;
        stages.push({ ...base, mode: 'view', output: out, outputBytes: 0, floatOutputBytes: 0, run: () => {} });
        cur = out;
        break;
      }
      case 'voting': {
        const groups = layer.spec.groups as number;
        const out = float(layer.outputShape, into.steps);
        stages.push({ ...base, mode: into.kind === 'spikes' ? 'packed' : 'float', output: out, ...bytesOf(out, T), run: (x) => vote(x, groups, out) });
        cur = out;
        break;
      }
      default:
        throw new PackError(layer.name, `is a "${layer.kind}" layer, which has no packed form (the packed engine runs conv2d, dense, batchNorm, neuron, pool max/avg, flatten, dropout and voting in a chain)`);
    }
    if (cur.kind === 'spikes') curFrom = `spikes of ${layer.name}`;
    else if (layer.kind !== 'pool' && layer.kind !== 'flatten' && layer.kind !== 'dropout') curFrom = `real values of ${layer.name}`;
  }
  return { stages, folded, input, lastNeuron, simd: kernels !== undefined, arenaBytes: arena.used };
}
