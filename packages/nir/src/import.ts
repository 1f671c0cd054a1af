import { registry as sharedRegistry, type NeuronPlugin, type Registry } from '@spikeflow/core';
import { MODEL_FORMAT, windowOutput, type EncoderSpec, type NormalizedLayer } from '@spikeflow/spec';
import { treeToGraph } from './codec.js';
import { NirError } from './errors.js';
import { readHdf5 } from './hdf5.js';
import { checkDeclaredSizes, DEFAULT_MAX_VALUES } from './limits.js';
import { isNeuronNode, sizeOf, type NdArray, type NeuronNode, type NirGraph, type NirNode } from './ir.js';
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

/** Converts a NIR graph to a spikeflow model. */
export function nirToModel(graph: NirGraph, options: ImportOptions = {}): SpikeflowModel {
  const meta = graph.metadata ?? {};
  const dt = options.dt ?? (typeof meta.dt === 'number' ? meta.dt : 1);
  if (!(Number.isFinite(dt) && dt > 0)) throw new NirError(`dt = ${dt}${options.dt === undefined ? ' (from the graph metadata)' : ''} is not a finite number > 0`);
  const chain = chainOf(graph);
  const policy = options.missingReset ?? 'by-version';
  if (!['by-version', 'subtract', 'zero'].includes(policy)) throw new NirError(`missingReset must be 'by-version', 'subtract' or 'zero', got ${JSON.stringify(policy)}`);
  // Missing v_reset: null = subtract the threshold (before NIR 1.0.6), 0 = reset to 0 (since).
  const missingReset = policy === 'subtract' || (policy === 'by-version' && hasSubtractiveReset(graph.version)) ? null : 0;
  const registry = options.registry ?? sharedRegistry;
  const input = graph.nodes[chain[0]] as Extract<NirNode, { type: 'Input' }>;
  if (input.shape.length !== 1 && input.shape.length !== 3) throw new NirError(`input shape [${input.shape}] is neither [features] nor [channels, height, width]`, chain[0]);

  const layers: NormalizedLayer[] = [];
  const weights: Record<string, Weight> = {};
  let shape = [...input.shape]; // NIR order: [C, H, W] or [F]
  let flatFrom: number[] | null = null; // NHWC shape flattened by the last Flatten, until a dense layer
  let spikes = false;
  const layerName = (node: string) => node.replace(/\//g, '_');

  for (let k = 1; k < chain.length - 1; k++) {
    const name = chain[k];
    const node = graph.nodes[name];
    checkFinite(node, name);
    const prevNode = graph.nodes[chain[k - 1]];
    const lname = layerName(name);
    switch (node.type) {
      case 'Affine':
      case 'Linear': {
        if (shape.length !== 1) throw new NirError(`${node.type} takes a vector, but its input has shape [${shape}]; NIR graphs flatten feature maps with a Flatten node`, name);
        const [units, fanIn] = node.weight.shape;
        if (node.weight.shape.length !== 2 || fanIn !== shape[0]) throw new NirError(`weight of shape [${node.weight.shape}] does not take the ${shape[0]} inputs that reach it`, name);
        if (node.type === 'Affine' && isVoting(node.weight, node.bias) && !flatFrom) {
          layers.push({ kind: 'voting', name: lname, groups: units });
        } else {
          layers.push({ kind: 'dense', name: lname, units, useBias: node.type === 'Affine' });
          weights[`${lname}/kernel`] = denseFromNir(node.weight, flatFrom);
          if (node.type === 'Affine') {
            if (node.bias.data.length !== units) throw new NirError(`bias has ${node.bias.data.length} values for ${units} outputs`, name);
            weights[`${lname}/bias`] = { shape: [units], data: Float32Array.from(node.bias.data) };
          }
          flatFrom = null;
        }
        shape = [units];
        spikes = false;
        break;
      }
      case 'Conv2d': {
        if (shape.length !== 3) throw new NirError(`Conv2d takes [channels, height, width], but its input has shape [${shape}]`, name);
        const [cout, cin, kh, kw] = node.weight.shape;
        if (node.weight.shape.length !== 4 || cin !== shape[0]) throw new NirError(`weight of shape [${node.weight.shape}] does not take the ${shape[0]} channels that reach it`, name);
        if (node.groups !== 1) throw new NirError(`groups = ${node.groups}; spikeflow's conv2d has groups = 1`, name);
        if (node.dilation[0] !== 1 || node.dilation[1] !== 1) throw new NirError(`dilation [${node.dilation}]; spikeflow's conv2d has dilation 1`, name);
        if (node.inputShape && (node.inputShape[0] !== shape[1] || node.inputShape[1] !== shape[2])) {
          throw new NirError(`input_shape [${node.inputShape}] does not match the [${shape.slice(1)}] that reaches it`, name);
        }
        const padding = spikeflowPadding(node.padding, shape, [kh, kw], node.stride, name);
        layers.push({ kind: 'conv2d', name: lname, filters: cout, kernelSize: [kh, kw], stride: node.stride, padding, useBias: true });
        weights[`${lname}/kernel`] = kernelFromNir(node.weight);
        if (node.bias.data.length !== cout) throw new NirError(`bias has ${node.bias.data.length} values for ${cout} channels`, name);
        weights[`${lname}/bias`] = { shape: [cout], data: Float32Array.from(node.bias.data) };
        shape = [cout, ...windowed(shape, [kh, kw], node.stride, padding)];
        spikes = false;
        break;
      }
      case 'Flatten': {
        if (node.inputType && node.inputType.join() !== shape.join()) throw new NirError(`input_type [${node.inputType}] does not match the [${shape}] that reaches it`, name);
        const rank = shape.length;
        const start = node.startDim < 0 ? node.startDim + rank : node.startDim;
        const end = node.endDim < 0 ? node.endDim + rank : node.endDim;
        if (start !== 0 || end !== rank - 1) {
          throw new NirError(`flattens axes ${node.startDim}..${node.endDim} of [${shape}], leaving more than one axis; spikeflow flattens a whole sample (start_dim 0, end_dim -1)`, name);
        }
        layers.push({ kind: 'flatten', name: lname });
        if (rank === 3) flatFrom = toNhwc(shape);
        shape = [sizeOf(shape)];
        break;
      }
      case 'SumPool2d':
      case 'AvgPool2d': {
        if (shape.length !== 3) throw new NirError(`${node.type} takes [channels, height, width], but its input has shape [${shape}]`, name);
        if (node.padding[0] !== 0 || node.padding[1] !== 0) throw new NirError(`padding [${node.padding}]; spikeflow reads pooling without padding`, name);
        const window = { size: node.kernelSize, stride: node.stride, padding: 'valid' as const };
        const outShape = [shape[0], ...windowed(shape, node.kernelSize, node.stride, 'valid')];
        if (node.type === 'AvgPool2d') {
          layers.push({ kind: 'pool', name: lname, pool: 'avg', ...window });
          spikes = false;
        } else {
          const orName = chain[k + 1];
          const or = graph.nodes[orName];
          checkFinite(or, orName);
          if (!isSpikeOr(or, dt, outShape)) {
            throw new NirError(
              `SumPool2d is read only as the max pooling of spikes, SumPool2d followed by IF(r = 1/dt, 0 < threshold <= 1, reset 0); here it is followed by ${or.type} "${orName}"`,
              name,
            );
          }
          if (!spikes) throw new NirError('SumPool2d -> IF is max pooling only on binary spikes, and its input here is not spikes', name);
          layers.push({ kind: 'pool', name: lname, pool: 'max', ...window });
          k++; // the IF is part of the pooling
        }
        shape = outShape;
        break;
      }
      case 'IF':
      case 'LIF':
      case 'LI':
      case 'CubaLIF': {
        const prevLayer = layers[layers.length - 1];
        const fold: FoldGain = (gain, what) => foldGain(gain, what, prevLayer, prevNode, weights, shape, name);
        const { layer, params, spiking } = neuronLayer(node, lname, name, shape, { dt, missingReset, options, registry }, fold);
        for (const [p, value] of Object.entries(params)) weights[`${lname}/${p}`] = { shape: [], data: Float32Array.of(value) };
        layers.push(layer);
        spikes = spiking;
        break;
      }
      default:
        throw new NirError(`a ${node.type} node can only start or end the graph`, name);
    }
  }

  const output = graph.nodes[chain[chain.length - 1]] as Extract<NirNode, { type: 'Output' }>;
  if (output.shape.join() !== shape.join()) throw new NirError(`shape [${output.shape}] does not match the [${shape}] that reaches it`, chain[chain.length - 1]);
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
  };
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
  const gain = new Float64Array(n).fill(1);
  const scalars: Record<string, number> = {};
  const folded: string[] = [];
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
    scalars[key] = v;
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

/** Scales the inputs of a neuron layer by folding the gain into the conv2d or dense layer before it. */
function foldGain(gain: Float64Array, what: string, prev: NormalizedLayer | undefined, prevNode: NirNode, weights: Record<string, Weight>, shape: number[], name: string): void {
  // Within float32 storage of r and tau of 1 (a spikeflow file's r = tau when decayInput is off): no gain.
  if (gain.every((g) => close(g, 1))) return;
  if (!prev || (prev.kind !== 'conv2d' && prev.kind !== 'dense') || (prevNode.type !== 'Conv2d' && prevNode.type !== 'Affine' && prevNode.type !== 'Linear')) {
    throw new NirError(`its input gain (${what}) is not 1, and spikeflow can fold it only into a Conv2d, Affine or Linear node right before`, name);
  }
  const kernel = weights[`${prev.name}/kernel`];
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
  const bias = weights[`${prev.name}/bias`];
  if (bias) bias.data.forEach((b, c) => (bias.data[c] = b * perChannel[c]));
}

