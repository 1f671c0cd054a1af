import { registry as sharedRegistry, type NeuronPlugin, type Registry } from '@spikeflow/core';
import { MODEL_FORMAT, windowOutput, type EncoderSpec, type NormalizedLayer } from '@spikeflow/spec';
import { treeToGraph } from './codec.js';
import { NirError } from './errors.js';
import { readHdf5 } from './hdf5.js';
import { checkDeclaredSizes, DEFAULT_MAX_VALUES } from './limits.js';
import { isNeuronNode, sizeOf, type LinearNode, type NdArray, type NeuronNode, type NirGraph, type NirNode } from './ir.js';
import { structureOf } from './structure.js';
import { denseFromNir, kernelFromNir, samePadding, toNhwc } from './layout.js';
import type { SpikeflowModel, Weight } from './model.js';

export interface ImportOptions {
  /** Duration of one spikeflow step in the file's time unit; default the file's metadata `dt`, else 1. */
  dt?: number;
  /** Number of steps T; default the file's metadata `time_steps`, else 8. */
  timeSteps?: number;
  /** How a sample becomes T steps; default the file's metadata `spikeflow_encoder`, else 'sequence' (one input per step). */
  encoder?: EncoderSpec['kind'];
  /** Name used in errors (a file path). */
  source?: string;
  /** The most values read from the file, over all its datasets, checked before any is read; default 2^26. */
  maxValues?: number;
  /**
   * What a spiking node without `v_reset` resets to. 'by-version' (default): files older than NIR
   * 1.0.6 subtract the threshold (as their writers meant), newer ones reset to 0 (as NIR reads them);
   * 'subtract' or 'zero' whatever the version.
   */
  missingReset?: MissingReset;
  /**
   * Options set on every imported neuron layer of a kind, over what the file gives, by neuron kind:
   * e.g. `{ cubalif: { order: 'euler' } }` for NIR's numpy reference's update order.
   */
  neuronOptions?: Record<string, Record<string, unknown>>;
  /** The plugins whose NIR codecs read the neuron nodes; default the shared registry that `use()` fills. */
  registry?: Registry;
}

export type MissingReset = 'by-version' | 'subtract' | 'zero';

/** Reads a NIR file (HDF5 bytes) into a graph; errors name the node or dataset at fault. */
export async function readNir(bytes: Uint8Array, source = 'NIR file', maxValues = DEFAULT_MAX_VALUES): Promise<NirGraph> {
  return treeToGraph(await readHdf5(bytes, source, (datasets) => checkDeclaredSizes(datasets, source, maxValues)), source);
}

/** Reads a NIR file and converts it to a spikeflow model (spec + weights); build it with buildModel. */
export async function importNir(bytes: Uint8Array, options: ImportOptions = {}): Promise<SpikeflowModel> {
  return nirToModel(await readNir(bytes, options.source, options.maxValues), options);
}

/** Files before NIR 1.0.6 had no v_reset: their IF and LIF reset by subtracting the threshold. */
export function hasSubtractiveReset(version: string | undefined): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version ?? '');
  if (!m) return false;
  const [a, b, c] = m.slice(1).map(Number);
  return a < 1 || (a === 1 && b === 0 && c < 6);
}

const uniformValue = (a: NdArray): number | undefined => (a.data.every((v) => v === a.data[0]) ? a.data[0] : undefined);
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
/** min..max of an array (a loop: spreading a large array overflows the call stack). */
function range(a: NdArray): string {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of a.data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return `${lo}..${hi}`;
}

/** NIR's snake_case name of a parameter (vThreshold -> v_threshold), as errors name it. */
const nirKey = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Refuses NaN and infinite parameters, naming the node, the parameter and the first bad index. */
function checkFinite(node: NirNode, name: string): void {
  // Neuron nodes keep their parameters under NIR's names in `params`; the others as fields.
  const fields = isNeuronNode(node) ? node.params : node;
  for (const [key, value] of Object.entries(fields)) {
    if (!value || typeof value !== 'object' || !('data' in value)) continue;
    const data = (value as NdArray).data;
    const i = data.findIndex((v) => !Number.isFinite(v));
    if (i >= 0) throw new NirError(`${nirKey(key)}${data.length > 1 ? `[${i}]` : ''} = ${data[i]} is not finite`, name);
  }
}

/** The chain input -> ... -> output of a graph; branches, cycles and loose nodes are errors naming the node. */
export function chainOf(graph: NirGraph): string[] {
  const inputs = Object.keys(graph.nodes).filter((n) => graph.nodes[n].type === 'Input');
  if (inputs.length !== 1) throw new NirError(`the graph has ${inputs.length} Input nodes (${inputs.join(', ') || 'none'}); spikeflow reads graphs with exactly one`);
  const next = new Map<string, string>();
  const incoming = new Map<string, number>();
  for (const [a, b] of graph.edges) {
    for (const end of [a, b]) if (!Object.hasOwn(graph.nodes, end)) throw new NirError(`edge [${a}, ${b}] names "${end}", which is not a node`);
    if (next.has(a)) throw new NirError(`has two outgoing edges (to "${next.get(a)}" and "${b}"); spikeflow networks are chains without branches`, a);
    next.set(a, b);
    incoming.set(b, (incoming.get(b) ?? 0) + 1);
    if (incoming.get(b)! > 1) throw new NirError('has two incoming edges; spikeflow networks are chains without merges or recurrence', b);
  }
  const chain = [inputs[0]];
  while (next.has(chain[chain.length - 1])) {
    const n = next.get(chain[chain.length - 1])!;
    if (chain.includes(n)) throw new NirError('closes a cycle; spikeflow networks are feed-forward', n);
    chain.push(n);
  }
  const last = chain[chain.length - 1];
  if (graph.nodes[last].type !== 'Output') throw new NirError(`ends the chain from "${inputs[0]}" but is a ${graph.nodes[last].type} node, not an Output`, last);
  const loose = Object.keys(graph.nodes).filter((n) => !chain.includes(n));
  if (loose.length > 0) throw new NirError('is not on the path from the Input to the Output node', loose[0]);
  return chain;
}

/** A signal between layers: the layer giving it (null: the network input), its NIR shape, and what is known of it. */
interface Signal {
  layer: string | null;
  /** NIR order: [C, H, W] or [F]. */
  shape: number[];
  /** The NHWC shape a flatten turned into this vector, until a dense layer reorders it. */
  flatFrom: number[] | null;
  /** Binary spikes (max pooling reads as an OR only on spikes). */
  spikes: boolean;
  /** A factor the signal still carries (a SumPool2d's window size), folded into the next Conv2d, Affine or Linear. */
  gain: number;
}

/** Converts a NIR graph to a spikeflow model: nodes in an order where sources come first, merges as `add` layers, recurrent loops as `recurrent` layers. */
export function nirToModel(graph: NirGraph, options: ImportOptions = {}): SpikeflowModel {
  const meta = graph.metadata ?? {};
  const dt = options.dt ?? (typeof meta.dt === 'number' ? meta.dt : 1);
  if (!(Number.isFinite(dt) && dt > 0)) throw new NirError(`dt = ${dt}${options.dt === undefined ? ' (from the graph metadata)' : ''} is not a finite number > 0`);
  const g = structureOf(graph);
  const policy = options.missingReset ?? 'by-version';
  if (!['by-version', 'subtract', 'zero'].includes(policy)) throw new NirError(`missingReset must be 'by-version', 'subtract' or 'zero', got ${JSON.stringify(policy)}`);
  // Missing v_reset: null = subtract the threshold (before NIR 1.0.6), 0 = reset to 0 (since).
  const missingReset = policy === 'subtract' || (policy === 'by-version' && hasSubtractiveReset(graph.version)) ? null : 0;
  const registry = options.registry ?? sharedRegistry;
  const neuronCtx: NeuronContext = { dt, missingReset, options, registry };
  const input = graph.nodes[g.input] as Extract<NirNode, { type: 'Input' }>;
  if (input.shape.length !== 1 && input.shape.length !== 3) throw new NirError(`input shape [${input.shape}] is neither [features] nor [channels, height, width]`, g.input);

  const layers: NormalizedLayer[] = [];
  const weights: Record<string, Weight> = {};
  const signals = new Map<string, Signal>();
  const taken = new Set(Object.keys(graph.nodes).map(layerNameOf));
  const nodeOf = new Map<string, string>(); // layer name -> the NIR node it came from
  /** Adds a layer reading `from`; it names its inputs only where they are not the layer before (or as the file's spikeflow_inputs says). */
  const emit = (layer: NormalizedLayer, from: Signal[], node: string): void => {
    const names = from.map((s) => s.layer);
    const previous = layers.length > 0 ? layers[layers.length - 1].name! : null;
    const implicit = names.length === 1 && names[0] === previous;
    if (!implicit) {
      if (names.includes(null)) throw new NirError('reads the graph Input, which only the first layer of a spikeflow network can read', node);
      layer.inputs = names as string[];
    }
    const written = graph.nodes[node]?.metadata?.spikeflow_inputs;
    if (typeof written === 'string' && written === JSON.stringify(names)) layer.inputs = JSON.parse(written) as string[];
    layers.push(layer);
    nodeOf.set(layer.name!, node);
  };
  /** The sum of a node's sources: the one source, or an `add` layer named `name`. */
  const merged = (node: string, name: string): Signal => {
    const from = g.sources.get(node)!.map((s) => signals.get(s)!);
    if (from.length === 1) return from[0];
    if (from.length === 0) throw new NirError('has no incoming edge', node);
    from.forEach((s) => {
      if (s.shape.join() !== from[0].shape.join()) throw new NirError(`sums inputs of shapes ${from.map((f) => `[${f.shape}]`).join(' and ')}; NIR sums inputs of one shape`, node);
      if (s.gain !== 1) throw new NirError('sums the output of a SumPool2d with other inputs; spikeflow folds a window sum only into the Conv2d, Affine or Linear node that reads it alone', node);
      if (JSON.stringify(s.flatFrom) !== JSON.stringify(from[0].flatFrom)) throw new NirError('sums vectors flattened from different feature maps', node);
    });
    emit({ kind: 'add', name }, from, node);
    return { layer: name, shape: from[0].shape, flatFrom: from[0].flatFrom, spikes: false, gain: 1 };
  };
  const unique = (base: string) => {
    let name = base;
    for (let k = 1; taken.has(name); k++) name = `${base}_${k}`;
    taken.add(name);
    return name;
  };

  // The input feeds several nodes: an identity layer (dropout of rate 0) named like the Input node gives it a name to read.
  let start: Signal = { layer: null, shape: [...input.shape], flatFrom: null, spikes: options.encoder === 'poisson', gain: 1 };
  if (g.consumers.get(g.input)!.length > 1) {
    const name = layerNameOf(g.input);
    emit({ kind: 'dropout', name, rate: 0 }, [start], g.input);
    start = { ...start, layer: name };
  }
  signals.set(g.input, start);
  const orPairs = new Set<string>(); // IF nodes read as part of max pooling
  const absorbed = new Map<string, { node: string; from: Signal }>(); // recurrent neuron -> its square input Affine/Linear
  // Placement nodes of a concat (how spikeflow writes concat): read with the Scale they feed.
  const placements = new Map<string, { from: Signal; offset: number; size: number; emit: () => void }>();
  /** Whether `node` feeds only an identity Scale that sums two or more nodes (a concat, if all are placements). */
  const feedsJoin = (node: string) => {
    const out = g.consumers.get(node)!;
    if (out.length !== 1) return false;
    const next = graph.nodes[out[0]];
    return next.type === 'Scale' && uniformValue(next.scale) === 1 && g.sources.get(out[0])!.length >= 2;
  };

  for (const name of g.order) {
    const node = graph.nodes[name];
    checkFinite(node, name);
    const lname = layerNameOf(name);
    if (orPairs.has(name)) continue;
    switch (node.type) {
      case 'Affine':
      case 'Linear': {
        const s = merged(name, `${unique(`${lname}_sum`)}`);
        if (s.shape.length !== 1) throw new NirError(`${node.type} takes a vector, but its input has shape [${s.shape}]; NIR graphs flatten feature maps with a Flatten node`, name);
        const [units, fanIn] = node.weight.shape;
        if (node.weight.shape.length !== 2 || fanIn !== s.shape[0]) throw new NirError(`weight of shape [${node.weight.shape}] does not take the ${s.shape[0]} inputs that reach it`, name);
        if (node.type === 'Affine' && node.bias.data.length !== units) throw new NirError(`bias has ${node.bias.data.length} values for ${units} outputs`, name);
        const [next] = g.consumers.get(name)!;
        if (units === fanIn && g.consumers.get(name)!.length === 1 && g.feedback.has(next) && graph.nodes[g.feedback.get(next)!].type !== 'Scale' && g.sources.get(next)!.length === 1 && s.gain === 1) {
          // The input weights of a recurrent layer (how spikeflow writes them): its layer holds them.
          absorbed.set(next, { node: name, from: s });
          break;
        }
        const emitDense = () => {
          if (node.type === 'Affine' && isVoting(node.weight, node.bias) && !s.flatFrom && s.gain === 1) {
            emit({ kind: 'voting', name: lname, groups: units }, [s], name);
          } else {
            emit({ kind: 'dense', name: lname, units, useBias: node.type === 'Affine' }, [s], name);
            weights[`${lname}/kernel`] = scaled(denseFromNir(node.weight, s.flatFrom), s.gain);
            if (node.type === 'Affine') weights[`${lname}/bias`] = { shape: [units], data: Float32Array.from(node.bias.data) };
          }
          signals.set(name, { layer: lname, shape: [units], flatFrom: null, spikes: false, gain: 1 });
        };
        const offset = s.gain === 1 && feedsJoin(name) && (node.type === 'Linear' || node.bias.data.every((b) => b === 0)) ? placementOffset(denseFromNir(node.weight, s.flatFrom)) : undefined;
        if (offset !== undefined) placements.set(name, { from: s, offset, size: fanIn, emit: emitDense });
        else emitDense();
        break;
      }
      case 'Conv2d': {
        const s = merged(name, unique(`${lname}_sum`));
        const shape = s.shape;
        if (shape.length !== 3) throw new NirError(`Conv2d takes [channels, height, width], but its input has shape [${shape}]`, name);
        const [cout, cin, kh, kw] = node.weight.shape;
        if (node.weight.shape.length !== 4 || cin !== shape[0]) throw new NirError(`weight of shape [${node.weight.shape}] does not take the ${shape[0]} channels that reach it`, name);
        if (node.groups !== 1) throw new NirError(`groups = ${node.groups}; spikeflow's conv2d has groups = 1`, name);
        if (node.dilation[0] !== 1 || node.dilation[1] !== 1) throw new NirError(`dilation [${node.dilation}]; spikeflow's conv2d has dilation 1`, name);
        if (node.inputShape && (node.inputShape[0] !== shape[1] || node.inputShape[1] !== shape[2])) {
          throw new NirError(`input_shape [${node.inputShape}] does not match the [${shape.slice(1)}] that reaches it`, name);
        }
        if (node.bias.data.length !== cout) throw new NirError(`bias has ${node.bias.data.length} values for ${cout} channels`, name);
        const padding = spikeflowPadding(node.padding, shape, [kh, kw], node.stride, name);
        const emitConv = () => {
          emit({ kind: 'conv2d', name: lname, filters: cout, kernelSize: squareOr([kh, kw]), stride: squareOr(node.stride), padding, useBias: true }, [s], name);
          weights[`${lname}/kernel`] = scaled(kernelFromNir(node.weight), s.gain);
          weights[`${lname}/bias`] = { shape: [cout], data: Float32Array.from(node.bias.data) };
          signals.set(name, { layer: lname, shape: [cout, ...windowed(shape, [kh, kw], node.stride, padding)], flatFrom: null, spikes: false, gain: 1 });
        };
        const pointwise = kh === 1 && kw === 1 && node.stride[0] === 1 && node.stride[1] === 1 && padding === 'valid' && node.bias.data.every((b) => b === 0);
        const offset = pointwise && s.gain === 1 && feedsJoin(name) ? placementOffset(kernelFromNir(node.weight), 2) : undefined;
        if (offset !== undefined) placements.set(name, { from: s, offset, size: cin, emit: emitConv });
        else emitConv();
        break;
      }
      case 'Flatten': {
        const s = merged(name, unique(`${lname}_sum`));
        const shape = s.shape;
        if (node.inputType && node.inputType.join() !== shape.join()) throw new NirError(`input_type [${node.inputType}] does not match the [${shape}] that reaches it`, name);
        const rank = shape.length;
        const first = node.startDim < 0 ? node.startDim + rank : node.startDim;
        const last = node.endDim < 0 ? node.endDim + rank : node.endDim;
        if (first !== 0 || last !== rank - 1) {
          throw new NirError(`flattens axes ${node.startDim}..${node.endDim} of [${shape}], leaving more than one axis; spikeflow flattens a whole sample (start_dim 0, end_dim -1)`, name);
        }
        emit({ kind: 'flatten', name: lname }, [s], name);
        signals.set(name, { ...s, layer: lname, shape: [sizeOf(shape)], flatFrom: rank === 3 ? toNhwc(shape) : s.flatFrom });
        break;
      }
      case 'SumPool2d':
      case 'AvgPool2d': {
        const s = merged(name, unique(`${lname}_sum`));
        const shape = s.shape;
        if (shape.length !== 3) throw new NirError(`${node.type} takes [channels, height, width], but its input has shape [${shape}]`, name);
        if (node.padding[0] !== 0 || node.padding[1] !== 0) throw new NirError(`padding [${node.padding}]; spikeflow reads pooling without padding`, name);
        const window = { size: squareOr(node.kernelSize), stride: squareOr(node.stride), padding: 'valid' as const };
        const out: Signal = { ...s, layer: lname, shape: [shape[0], ...windowed(shape, node.kernelSize, node.stride, 'valid')] };
        const consumers = g.consumers.get(name)!;
        const or = consumers.length === 1 ? consumers[0] : undefined;
        if (node.type === 'SumPool2d' && or !== undefined && graph.nodes[or].type === 'IF' && g.sources.get(or)!.length === 1 && !g.feedback.has(or)) {
          // SumPool2d -> IF(threshold in (0, 1], reset 0) is max pooling of spikes (how spikeflow writes it).
          checkFinite(graph.nodes[or], or);
          if (!isSpikeOr(graph.nodes[or], dt, out.shape)) {
            throw new NirError(`SumPool2d followed by IF is read as the max pooling of spikes, SumPool2d followed by IF(r = 1/dt, 0 < threshold <= 1, reset 0); here the IF "${or}" is another`, name);
          }
          if (!s.spikes || s.gain !== 1) throw new NirError('SumPool2d -> IF is max pooling only on binary spikes, and its input here is not spikes', name);
          emit({ kind: 'pool', name: lname, pool: 'max', ...window }, [s], name);
          orPairs.add(or);
          signals.set(or, { ...out, spikes: true });
        } else {
          // Average pooling; a window sum carries the window size on to the next weighted node.
          emit({ kind: 'pool', name: lname, pool: 'avg', ...window }, [s], name);
          signals.set(name, { ...out, spikes: false, gain: node.type === 'SumPool2d' ? s.gain * node.kernelSize[0] * node.kernelSize[1] : s.gain });
        }
        break;
      }
      case 'Scale': {
        const sources = g.sources.get(name)!;
        const factor = uniformValue(node.scale);
        if (factor === undefined) throw new NirError(`scale varies across neurons (${range(node.scale)}); spikeflow reads a Scale node as a merge or a uniform factor`, name);
        const parts = sources.map((src) => placements.get(src));
        const join = factor === 1 ? concatOf(parts, node.scale.shape) : undefined;
        if (join) {
          emit({ kind: 'concat', name: lname }, join.map((p) => p.from), name);
          signals.set(name, { layer: lname, shape: [...node.scale.shape], flatFrom: null, spikes: join.every((p) => p.from.spikes), gain: 1 });
          break;
        }
        parts.forEach((p) => p?.emit()); // placements that do not make a concat are ordinary layers
        const s = sources.length === 1 ? signals.get(sources[0])! : merged(name, lname);
        signals.set(name, { ...s, gain: s.gain * factor });
        break;
      }
      case 'Threshold': {
        const layer = thresholdLayer(node, name, lname, g.sources.get(name)!.map((src) => signals.get(src)!));
        emit(layer.spec, layer.from, name);
        signals.set(name, { layer: lname, shape: layer.from[0].shape, flatFrom: layer.from[0].flatFrom, spikes: true, gain: 1 });
        break;
      }
      case 'IF':
      case 'LIF':
      case 'LI':
      case 'CubaLIF': {
        const back = g.feedback.get(name);
        const own = absorbed.get(name);
        const s = own ? own.from : merged(name, unique(`${lname}_sum`));
        if (back === undefined) {
          // The weighted node that feeds this neuron alone (through Scale nodes that feed only the next) holds any input gain.
          const sources = g.sources.get(name)!;
          let before = sources.length === 1 ? sources[0] : undefined;
          while (before !== undefined && graph.nodes[before].type === 'Scale' && g.sources.get(before)!.length === 1 && g.consumers.get(before)!.length === 1) before = g.sources.get(before)![0];
          const target = before !== undefined && g.consumers.get(before)!.length === 1 ? foldTarget(layers, s.layer, graph.nodes[before]) : undefined;
          const fold: FoldGain = (gain, what) => foldGain(gain, what, target, weights, s.shape, name);
          const { layer, params, spiking } = neuronLayer(node, lname, name, s.shape, neuronCtx, fold, s.gain);
          for (const [p, value] of Object.entries(params)) weights[`${lname}/${p}`] = { shape: [], data: Float32Array.of(value) };
          emit(layer, [s], name);
          signals.set(name, { layer: lname, shape: s.shape, flatFrom: s.flatFrom, spikes: spiking, gain: 1 });
        } else {
          if (s.gain !== 1) throw new NirError('reads a scaled signal (a Scale or SumPool2d factor), which spikeflow folds into its recurrent weights only from a Conv2d, Affine or Linear node', name);
          const shape = own ? [(graph.nodes[own.node] as LinearNode).weight.shape[0]] : s.shape;
          const layer = recurrentLayer(graph, name, back, own, shape, weights, neuronCtx);
          emit(layer, [s], own?.node ?? name);
          signals.set(name, { layer: lname, shape, flatFrom: own ? null : s.flatFrom, spikes: true, gain: 1 });
        }
        break;
      }
      default:
        throw new NirError(`a ${node.type} node can only start or end the graph`, name);
    }
  }

  const output = graph.nodes[g.output] as Extract<NirNode, { type: 'Output' }>;
  const last = merged(g.output, unique(`${layerNameOf(g.output)}_sum`));
  if (last.gain !== 1) throw new NirError('reads the window sum of a SumPool2d directly; spikeflow folds it only into a Conv2d, Affine or Linear node', g.output);
  if (last.layer === null || last.layer !== layers[layers.length - 1]?.name) throw new NirError(`reads "${g.sources.get(g.output)![0]}", which is not the last layer spikeflow builds`, g.output);
  if (output.shape.filter((d) => d !== 1).join() !== last.shape.filter((d) => d !== 1).join()) throw new NirError(`shape [${output.shape}] does not match the [${last.shape}] that reaches it`, g.output);
  const encoderKind = options.encoder ?? (isEncoder(meta.spikeflow_encoder) ? meta.spikeflow_encoder : 'sequence');
  const timeSteps = options.timeSteps ?? (typeof meta.time_steps === 'number' ? meta.time_steps : 8);
  return {
    spec: {
      format: MODEL_FORMAT,
      ...(typeof meta.spikeflow_name === 'string' ? { name: meta.spikeflow_name } : {}),
      input: { shape: toNhwc(input.shape) },
      timeSteps,
      encoder: { kind: encoderKind } as EncoderSpec,
      layers,
    },
    weights,
    ...(graph.notes ? { notes: [...graph.notes] } : {}),
  };
}

/**
 * SEW's connect functions on spikes, as spikeflow writes them: AND is a Threshold on the sum of n
 * spike inputs (n - 1 <= threshold < n), IAND a Threshold on b - a (a through Scale(-1); 0 <=
 * threshold < 1). NIR's Threshold fires where its input is above the threshold.
 */
function thresholdLayer(node: Extract<NirNode, { type: 'Threshold' }>, name: string, lname: string, from: Signal[]): { spec: NormalizedLayer; from: Signal[] } {
  const theta = uniformValue(node.threshold);
  if (theta === undefined) throw new NirError(`threshold varies across neurons (${range(node.threshold)}); spikeflow reads a Threshold node as SEW's AND or IAND, one threshold for all`, name);
  if (from.length < 2 || !from.every((s) => s.spikes && s.shape.join() === from[0].shape.join())) {
    throw new NirError("spikeflow reads a Threshold node as SEW's AND or IAND: the sum of two or more spike inputs of one shape", name);
  }
  if (node.threshold.data.length !== 1 && node.threshold.data.length !== sizeOf(from[0].shape)) throw new NirError(`threshold has ${node.threshold.data.length} values for inputs of shape [${from[0].shape}]`, name);
  const negated = from.filter((s) => s.gain === -1);
  const plain = from.filter((s) => s.gain === 1);
  const n = from.length;
  if (negated.length === 0 && plain.length === n && theta >= n - 1 && theta < n) return { spec: { kind: 'and', name: lname }, from: plain };
  if (negated.length === 1 && plain.length === 1 && theta >= 0 && theta < 1) return { spec: { kind: 'iand', name: lname }, from: [{ ...negated[0], gain: 1 }, plain[0]] };
  throw new NirError(`a threshold of ${theta} on ${n} inputs (${negated.length} negated) is neither SEW's AND (the sum of n spike inputs, n - 1 <= threshold < n) nor IAND (b - a, 0 <= threshold < 1)`, name);
}

/**
 * Where a placement kernel (spikeflow layout [..., in, out]; `lead` leading axes of size 1) puts its
 * inputs: the offset o with kernel[i, o + i] = 1 and every other weight 0, or undefined.
 */
function placementOffset(kernel: Weight, lead = 0): number | undefined {
  const [inputs, outputs] = kernel.shape.slice(lead);
  if (kernel.shape.slice(0, lead).some((d) => d !== 1) || !(inputs <= outputs)) return undefined;
  const offset = kernel.data.indexOf(1);
  if (offset < 0 || offset > outputs - inputs) return undefined;
  for (let i = 0; i < inputs; i++) for (let o = 0; o < outputs; o++) if (kernel.data[i * outputs + o] !== (o === offset + i ? 1 : 0)) return undefined;
  return offset;
}

type Placement = { from: Signal; offset: number; size: number };
/** The inputs of a concat, in order, when placement nodes tile the Scale's channels (axis 0) exactly. */
function concatOf(parts: Array<Placement | undefined>, shape: number[]): Placement[] | undefined {
  if (parts.length < 2 || parts.some((p) => p === undefined)) return undefined;
  const ordered = [...(parts as Placement[])].sort((a, b) => a.offset - b.offset);
  let next = 0;
  for (const p of ordered) {
    if (p.offset !== next || p.from.shape.slice(1).join() !== shape.slice(1).join()) return undefined;
    next += p.size;
  }
  return next === shape[0] ? ordered : undefined;
}

/** A spikeflow layer name for a NIR node name ('/' separates weight names in checkpoints). */
const layerNameOf = (node: string) => node.replace(/\//g, '_');

/** A window size or stride as spikeflow's specs write it: one number when both axes agree. */
const squareOr = ([a, b]: [number, number] | number[]): number | [number, number] => (a === b ? a : [a, b]);

const scaled = (w: Weight, gain: number): Weight => (gain === 1 ? w : { shape: w.shape, data: w.data.map((v) => v * gain) });

/** The conv2d or dense layer a neuron's per-neuron input gain folds into: the one giving its input, when it came from a Conv2d, Affine or Linear node. */
function foldTarget(layers: NormalizedLayer[], layer: string | null, node: NirNode): string | undefined {
  const l = layers.find((x) => x.name === layer);
  if (!l || (l.kind !== 'conv2d' && l.kind !== 'dense')) return undefined;
  return node.type === 'Conv2d' || node.type === 'Affine' || node.type === 'Linear' ? l.name : undefined;
}

/**
 * A recurrent layer for a neuron node fed back through `back` (NIR: the node's output at step t-1
 * reaches it again at step t). Affine/Linear feedback: connection 'dense', kernel [2F, F] whose rows
 * [0, F) are the input weights (the absorbed square input node, else the identity) and rows [F, 2F)
 * the feedback weights; the biases of both add up. Scale feedback: connection 'elementwise'.
 */
function recurrentLayer(graph: NirGraph, name: string, back: string, own: { node: string; from: Signal } | undefined, shape: number[], weights: Record<string, Weight>, ctx: NeuronContext): NormalizedLayer {
  const lname = layerNameOf(name);
  const node = graph.nodes[name] as NeuronNode;
  const feedback = graph.nodes[back];
  checkFinite(feedback, back);
  const F = sizeOf(shape);
  let connection: 'dense' | 'elementwise';
  let useBias = false;
  if (feedback.type === 'Scale') {
    connection = 'elementwise';
    if (feedback.scale.data.length !== F && feedback.scale.data.length !== 1) throw new NirError(`scale has ${feedback.scale.data.length} values for the ${F} neurons it feeds back`, back);
    const w = feedback.scale.data.length === 1 ? new Float32Array(F).fill(feedback.scale.data[0]) : Float32Array.from(feedback.scale.data);
    weights[`${lname}/recurrentWeight`] = { shape: [F], data: shape.length === 3 ? toNhwcData(w, shape) : w };
  } else if (feedback.type === 'Affine' || feedback.type === 'Linear') {
    connection = 'dense';
    if (shape.length !== 1) throw new NirError(`is fed back through ${feedback.type} "${back}", and its input has shape [${shape}]; spikeflow's dense recurrent layers take vectors`, name);
    if (feedback.weight.shape.join() !== `${F},${F}`) throw new NirError(`weight of shape [${feedback.weight.shape}] does not feed the ${F} spikes of "${name}" back into its ${F} neurons`, back);
    const kernel = new Float32Array(2 * F * F);
    if (own) {
      const input = graph.nodes[own.node] as LinearNode;
      kernel.set(denseFromNir(input.weight, own.from.flatFrom).data, 0);
    } else {
      for (let i = 0; i < F; i++) kernel[i * F + i] = 1;
    }
    kernel.set(denseFromNir(feedback.weight, null).data, F * F);
    weights[`${lname}/kernel`] = { shape: [2 * F, F], data: kernel };
    const bias = new Float32Array(F);
    for (const b of [own ? graph.nodes[own.node] : undefined, feedback]) {
      if (b?.type !== 'Affine') continue;
      if (b.bias.data.length !== F) throw new NirError(`bias has ${b.bias.data.length} values for ${F} outputs`, own && b === graph.nodes[own.node] ? own.node : back);
      useBias = true;
      bias.forEach((v, i) => (bias[i] = v + b.bias.data[i]));
    }
    if (useBias) weights[`${lname}/bias`] = { shape: [F], data: bias };
  } else {
    throw new NirError(`feeds back through a ${feedback.type} node "${back}"; spikeflow reads Affine, Linear or Scale feedback`, name);
  }
  const fold: FoldGain = (gain, what) => {
    if (connection === 'elementwise') {
      if (!gain.every((v) => close(v, 1))) throw new NirError(`its input gain (${what}) is not 1, which spikeflow's element-wise recurrent layer cannot hold`, name);
      return;
    }
    foldGain(gain, what, lname, weights, shape, name);
  };
  const { layer, params } = neuronLayer(node, lname, name, shape, ctx, fold);
  for (const [p, value] of Object.entries(params)) weights[`${lname}/${p}`] = { shape: [], data: Float32Array.of(value) };
  return { ...layer, kind: 'recurrent', connection, useBias: connection === 'dense' ? useBias : true } as NormalizedLayer;
}

/** NIR's [C, H, W] order of a per-neuron array -> spikeflow's [H, W, C]. */
function toNhwcData(a: Float32Array, [C, H, W]: number[]): Float32Array {
  const out = new Float32Array(a.length);
  for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) out[(h * W + w) * C + c] = a[(c * H + h) * W + w];
  return out;
}

const isEncoder = (v: unknown): v is EncoderSpec['kind'] => v === 'direct' || v === 'poisson' || v === 'sequence';

/** Voting: bias 0 and weight [groups, units] averaging consecutive blocks of units/groups. */
function isVoting(weight: NdArray, bias: NdArray): boolean {
  const [groups, units] = weight.shape;
  if (groups === units || units % groups !== 0 || !bias.data.every((b) => b === 0)) return false;
  const per = units / groups;
  const share = Math.fround(1 / per);
  return weight.data.every((w, i) => w === (Math.floor((i % units) / per) === Math.floor(i / units) ? share : 0));
}

function isSpikeOr(node: NirNode, dt: number, shape: number[]): boolean {
  if (node.type !== 'IF' || node.params.v_threshold.data.length !== sizeOf(shape)) return false;
  const gainOne = node.params.r.data.every((r) => close(r * dt, 1));
  const thresholdInWindow = node.params.v_threshold.data.every((t) => t > 0 && t <= 1);
  const resetZero = node.params.v_reset !== undefined && node.params.v_reset.data.every((v) => v === 0);
  return gainOne && thresholdInWindow && resetZero;
}

/**
 * NIR's padding as spikeflow's conv2d padding: 'valid' for no zeros, 'same' where TensorFlow's 'same'
 * pads the same zeros, else the explicit [height, width] zeros (both sides, as NIR and PyTorch pad).
 * NIR's 'same' must pad evenly (PyTorch's 'same' pads the odd zero after, TensorFlow's too, but only
 * stride 1 is allowed there), which spikeflow's 'same' does.
 */
function spikeflowPadding(padding: [number, number] | 'same' | 'valid', shape: number[], kernel: number[], stride: [number, number], name: string): 'same' | 'valid' | [number, number] {
  if (padding === 'valid' || (padding !== 'same' && padding[0] === 0 && padding[1] === 0)) return 'valid';
  const [top, bottom] = samePadding(shape[1], kernel[0], stride[0]);
  const [left, right] = samePadding(shape[2], kernel[1], stride[1]);
  const even = top === bottom && left === right;
  if (padding === 'same') {
    if (even) return 'same';
    throw new NirError(`padding 'same' of a ${kernel.join('x')} kernel with stride ${stride.join('x')} on ${shape[1]}x${shape[2]} pads unevenly (top ${top}, bottom ${bottom}, left ${left}, right ${right}); spikeflow reads 'same' where it pads evenly, or explicit padding`, name);
  }
  if (padding.some((p) => !(Number.isInteger(p) && p >= 0))) throw new NirError(`padding [${padding}] must be non-negative integers`, name);
  if (even && padding[0] === top && padding[1] === left) return 'same';
  return [padding[0], padding[1]];
}

function windowed(shape: number[], window: number[], stride: number[], padding: 'same' | 'valid' | [number, number]): [number, number] {
  const [ph, pw] = Array.isArray(padding) ? padding : [padding, padding];
  return [windowOutput(shape[1], window[0], stride[0], ph), windowOutput(shape[2], window[1], stride[1], pw)];
}

type FoldGain = (gain: Float64Array, what: string) => void;

/** The registered neuron plugins whose NIR codec reads a node type; the one the file names (spikeflow_neuron) first. */
function codecsFor(type: string, named: unknown, registry: Registry): NeuronPlugin<any>[] {
  const all = [...registry.neurons.values()].filter((p) => p.nir?.type === type);
  return [...all.filter((p) => p.kind === named), ...all.filter((p) => p.kind !== named)];
}

interface NeuronContext {
  dt: number;
  missingReset: number | null;
  options: ImportOptions;
  registry: Registry;
}

/**
 * A neuron layer for a neuron node, through the NIR codec of a registered neuron plugin. A spikeflow
 * neuron layer holds one value per parameter, so per-neuron arrays are taken when their values are
 * equal, or folded into the layer before when the dynamics allow it exactly (the codec's input gains,
 * and thresholds where reset and leak are 0); otherwise an error names the node and the parameter.
 */
function neuronLayer(
  node: NeuronNode,
  lname: string,
  name: string,
  shape: number[],
  ctx: NeuronContext,
  fold: FoldGain,
  inputGain = 1,
): { layer: NormalizedLayer; params: Record<string, number>; spiking: boolean } {
  const n = sizeOf(shape);
  for (const [key, a] of Object.entries(node.params)) {
    if (a.data.length !== n && a.data.length !== 1) throw new NirError(`${key} has ${a.data.length} values, but ${n} neurons (shape [${shape}]) reach this node`, name);
  }
  const meta = node.metadata ?? {};
  const plugins = codecsFor(node.type, meta.spikeflow_neuron, ctx.registry);
  if (plugins.length === 0) {
    const hint = node.type === 'CubaLIF' ? ' (@spikeflow/neurons-extra has one: use(extraNeurons))' : '';
    throw new NirError(`no registered neuron plugin reads ${node.type} nodes${hint}`, name);
  }
  const all = (a: NdArray | undefined, v: number) => a === undefined || a.data.every((x) => x === v);
  const per = (a: NdArray, i: number) => a.data[a.data.length === 1 ? 0 : i];
  const gain = new Float64Array(n).fill(inputGain);
  const scalars: Record<string, number> = {};
  const folded: string[] = inputGain !== 1 ? [`the factor ${inputGain} of a Scale or SumPool2d before`] : [];
  const th = node.params.v_threshold;
  if (th && uniformValue(th) === undefined) {
    // v / threshold_i has threshold 1 and the same spikes when the reset (or subtraction) and the leak scale along.
    const resetScales = node.params.v_reset ? all(node.params.v_reset, 0) : ctx.missingReset === null || ctx.missingReset === 0;
    if (!(resetScales && all(node.params.v_leak, 0))) {
      throw new NirError(`v_threshold varies across neurons (${range(th)}) with a nonzero v_reset or v_leak; spikeflow's neuron layers share one threshold`, name);
    }
    for (let i = 0; i < n; i++) {
      const t = per(th, i);
      if (!(t > 0)) throw new NirError(`v_threshold[${i}] = ${t}; a per-neuron threshold is read when every threshold is positive`, name);
      gain[i] /= t;
    }
    scalars.v_threshold = 1;
    folded.push('1 / v_threshold');
  }
  for (const key of plugins[0].nir!.gains ?? []) {
    const a = node.params[key];
    if (!a || uniformValue(a) !== undefined) continue;
    for (let i = 0; i < n; i++) gain[i] *= per(a, i);
    scalars[key] = 1;
    folded.push(key);
  }
  for (const [key, a] of Object.entries(node.params)) {
    if (key in scalars) continue;
    const v = uniformValue(a);
    if (v === undefined) throw new NirError(`${key} varies across neurons (${range(a)}); spikeflow's neuron layers hold one ${key} per layer`, name);
    // spikeflow's own files keep the exact value of a parameter that float32 rounds.
    const exact = meta[`spikeflow_exact_${key}`];
    scalars[key] = typeof exact === 'number' && Math.fround(exact) === v ? exact : v;
  }
  for (const plugin of plugins) {
    let read;
    try {
      read = plugin.nir!.import({ type: node.type, params: scalars, ...(node.metadata ? { metadata: node.metadata } : {}) }, { dt: ctx.dt, missingReset: ctx.missingReset });
    } catch (e) {
      throw new NirError((e as Error).message, name);
    }
    if (!read) continue;
    const residual = read.gain ?? 1;
    if (residual !== 1) for (let i = 0; i < n; i++) gain[i] *= residual;
    fold(gain, [...folded, ...(residual !== 1 ? [`${plugin.kind}'s input gain ${residual}`] : [])].join(' * '));
    const layer = {
      kind: 'neuron',
      name: lname,
      neuron: plugin.kind,
      detachReset: meta.spikeflow_detach_reset === 1,
      surrogate: surrogateOf(meta.spikeflow_surrogate),
      ...read.options,
      ...ctx.options.neuronOptions?.[plugin.kind],
    } as NormalizedLayer;
    return { layer, params: read.params ?? {}, spiking: plugin.output !== 'v' };
  }
  throw new NirError(`the neuron plugins that read ${node.type} nodes (${plugins.map((p) => p.kind).join(', ')}) all declined it`, name);
}

function surrogateOf(json: unknown): { kind: string } {
  if (typeof json === 'string') {
    try {
      const s = JSON.parse(json) as unknown;
      if (s && typeof s === 'object' && typeof (s as { kind?: unknown }).kind === 'string') return s as { kind: string };
    } catch {
      // not spikeflow's metadata: the default surrogate
    }
  }
  return { kind: 'atan' };
}

/** Scales the inputs of a neuron layer by folding the gain into the conv2d or dense layer (`target`) that gives them. */
function foldGain(gain: Float64Array, what: string, target: string | undefined, weights: Record<string, Weight>, shape: number[], name: string): void {
  // Within float32 storage of r and tau of 1 (a spikeflow file's r = tau when decayInput is off): no gain.
  if (gain.every((g) => close(g, 1))) return;
  if (target === undefined) {
    throw new NirError(`its input gain (${what}) is not 1, and spikeflow can fold it only into a Conv2d, Affine or Linear node right before that feeds this node alone`, name);
  }
  const kernel = weights[`${target}/kernel`];
  const channels = kernel.shape[kernel.shape.length - 1];
  const perChannel = new Float64Array(channels);
  const spatial = shape.length === 3 ? shape[1] * shape[2] : 1;
  for (let c = 0; c < channels; c++) {
    perChannel[c] = gain[c * spatial];
    for (let s = 1; s < spatial; s++) {
      if (gain[c * spatial + s] !== perChannel[c]) throw new NirError(`its input gain (${what}) varies within channel ${c}; spikeflow can fold only one gain per channel into the conv before`, name);
    }
  }
  kernel.data.forEach((w, i) => (kernel.data[i] = w * perChannel[i % channels]));
  const bias = weights[`${target}/bias`];
  if (bias) bias.data.forEach((b, c) => (bias.data[c] = b * perChannel[c]));
}

