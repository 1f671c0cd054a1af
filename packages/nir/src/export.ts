import { registry as sharedRegistry, type LayerNirExportContext, type NeuronCommonOptions, type Network, type NirLayout, type NirNodeData, type NirSignal, type Registry } from '@spikeflow/core';
import { explicitPadding, layerNames, layerShapes, resolveGraph, type NormalizedLayer } from '@spikeflow/spec';
import { NirError } from './errors.js';
import { foldBatchNorm } from './fold.js';
import { writeHdf5 } from './hdf5.js';
import { graphToTree } from './codec.js';
import { filled, ndarray, NEURON_PARAMS, NIR_VERSION, type Metadata, type NeuronNodeType, type NirGraph, type NirNode } from './ir.js';
import { denseToNir, kernelToNir, samePadding, toNchw } from './layout.js';
import { readModel, type SpikeflowModel } from './model.js';

export interface ExportOptions {
  /**
   * Duration of one spikeflow time step in NIR's time unit (default 1: NIR's tau is then in steps).
   * NIR's neurons are continuous-time; spikeflow's step is their forward-Euler step of length dt.
   */
  dt?: number;
  /**
   * Max pooling has no NIR node. 'spike-or' writes it as SumPool2d followed by IF(threshold 0.5,
   * reset 0): the OR of the window, which equals max pooling exactly on binary spikes.
   * 'refuse' (default) stops with an error that says so.
   */
  maxPool?: 'refuse' | 'spike-or';
  /**
   * The plugins whose NIR codecs write the neuron layers; default the network's registry
   * (exportNir) or the shared one that `use()` fills (modelToNir).
   */
  registry?: Registry;
}

/** Exports a network to the bytes of a NIR file (HDF5). Batch norm is folded first. */
export async function exportNir(network: Network, options: ExportOptions = {}): Promise<Uint8Array> {
  return writeNir(modelToNir(await readModel(network), { registry: network.registry, ...options }));
}

/** Writes a NIR graph to HDF5 bytes in NIR's layout. */
export function writeNir(graph: NirGraph): Promise<Uint8Array> {
  return writeHdf5(graphToTree(graph));
}

/**
 * The NIR graph of a spikeflow model. Each layer writes its own nodes through its kind's NIR codec
 * (the `nir` field of defineLayer); every layer's entry node gets an edge from the node of each
 * layer it reads (NIR sums the inputs of a node with several edges). Batch norm is folded into the
 * layer it reads first. A kind without a codec is refused, naming the layer.
 */
export function modelToNir(model: SpikeflowModel, options: ExportOptions = {}): NirGraph {
  const dt = options.dt ?? 1;
  if (!(dt > 0) || !Number.isFinite(dt)) throw new NirError(`dt must be a positive number, got ${dt}`);
  const registry = options.registry ?? sharedRegistry;
  const folded = foldBatchNorm(model);
  const { spec, weights } = folded;
  const shapes = layerShapes(spec, registry.catalog());
  const graph = resolveGraph(spec.layers, []);
  // Errors name a layer by its index in the model as written (batch norm included).
  const written = layerNames(model.spec.layers);
  const nodes: Record<string, NirNode> = {};
  const edges: Array<[string, string]> = [];
  const add = (name: string, node: NirNode) => {
    if (name in nodes) throw new NirError(`two layers are named "${name}"; NIR node names must be unique`);
    nodes[name] = node;
  };

  add('input', { type: 'Input', shape: toNchw(spec.input.shape) });
  const start: NirSignal = { node: 'input', shape: spec.input.shape, flatFrom: null, spikes: spec.encoder.kind === 'poisson' };
  const outs: NirSignal[] = [];

  spec.layers.forEach((layer, i) => {
    const name = graph.names[i];
    const where = `layers[${written.indexOf(name)}] "${name}"`;
    const inputs = graph.inputs[i].map((j) => (j < 0 ? start : outs[j]));
    const codec = registry.layers.get(layer.kind)?.nir;
    if (!codec) throw new NirError(`${where}: layer kind "${layer.kind}" has no NIR export`);
    const weight = (param: string) => {
      const w = weights[`${name}/${param}`];
      if (!w) throw new NirError(`${where}: the model has no weight "${name}/${param}"`);
      return w;
    };
    const ctx: LayerNirExportContext = {
      layer,
      name,
      inputs,
      outputShape: shapes[i],
      dt,
      options: { maxPool: options.maxPool ?? 'refuse' },
      weight,
      optionalWeight: (param) => weights[`${name}/${param}`],
      node: (n, node) => add(n, node as unknown as NirNode),
      edge: (a, b) => edges.push([a, b]),
      connect(n) {
        // The inputs as written, so that spikeflow reads its own file back to the same spec.
        if (layer.inputs) nodes[n].metadata = { ...nodes[n].metadata, spikeflow_inputs: JSON.stringify(layer.inputs) };
        for (const x of inputs) edges.push([x.node, n]);
      },
      neuron: (l, shape) => neuronNode(l, name, toNchw(shape), dt, weights, where, registry),
      layout,
    };
    let out: Partial<NirSignal> | void;
    try {
      out = codec.export(ctx);
    } catch (e) {
      throw e instanceof NirError ? e : new NirError(`${where}: ${(e as Error).message}`);
    }
    outs.push({ node: name, shape: shapes[i], flatFrom: inputs[0]?.flatFrom ?? null, spikes: false, ...(out ?? {}) });
  });

  const last = outs[outs.length - 1] ?? start;
  const output = uniqueName('output', nodes);
  add(output, { type: 'Output', shape: toNchw(last.shape) });
  edges.push([last.node, output]);
  const metadata: Metadata = { dt, time_steps: spec.timeSteps, spikeflow_encoder: spec.encoder.kind };
  if (spec.name) metadata.spikeflow_name = spec.name;
  return { nodes, edges, metadata, version: NIR_VERSION };
}

/** NIR's layout helpers, handed to the layer kinds' codecs. */
const layout: NirLayout = {
  shape: toNchw,
  conv: kernelToNir,
  dense: denseToNir,
  perNeuron: (data, shape) => ndarray(toNchw(shape), shape.length === 3 ? toNchwData(data, shape) : Array.from(data)),
  filled: (shape, value) => filled([...shape], value),
  padding: (input, window, stride, padding) => symmetricPadding([...input], window, stride, padding),
};

/** spikeflow's [H, W, C] order of a per-neuron array -> NIR's [C, H, W]. */
function toNchwData(a: ArrayLike<number>, [H, W, C]: readonly number[]): Float32Array {
  const out = new Float32Array(a.length);
  for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) for (let c = 0; c < C; c++) out[(c * H + h) * W + w] = a[(h * W + w) * C + c];
  return out;
}

/** A neuron layer's NIR node, from its plugin's NIR codec; each per-layer value becomes a per-neuron array. */
function neuronNode(layer: NormalizedLayer, name: string, shape: number[], dt: number, weights: SpikeflowModel['weights'], where: string, registry: Registry): { node: NirNodeData; spikes: boolean } {
  const kind = layer.neuron as string;
  const plugin = registry.neurons.get(kind);
  if (!plugin) throw new NirError(`${where}: neuron "${kind}" is not registered (use() its plugin before exporting)`);
  const codec = plugin.nir;
  if (!codec) throw new NirError(`${where}: neuron "${kind}" has no NIR form (its plugin has no nir codec)`);
  // The neuron's parameters are the layer's scalar weights (PLIF's w); kernels and biases are not.
  const params: Record<string, number> = {};
  for (const [w, value] of Object.entries(weights)) if (w.startsWith(`${name}/`) && value.data.length === 1 && value.shape.length === 0) params[w.slice(name.length + 1)] = value.data[0];
  let out;
  try {
    out = codec.export(layer as unknown as NeuronCommonOptions, params, dt);
  } catch (e) {
    throw new NirError(`${where}: ${(e as Error).message}`);
  }
  if (!isNeuronType(out.type)) throw new NirError(`${where}: neuron "${kind}" exports a "${out.type}" node; spikeflow writes ${Object.keys(NEURON_PARAMS).join(', ')}`);
  const metadata: Metadata = {
    spikeflow_neuron: kind,
    spikeflow_detach_reset: layer.detachReset ? 1 : 0,
    spikeflow_surrogate: JSON.stringify(layer.surrogate),
    ...out.metadata,
  };
  // Parameters are stored as float32; a value float32 cannot hold (a threshold of 0.2) is kept exact beside it.
  for (const [k, v] of Object.entries(out.params)) if (v !== null && Math.fround(v) !== v) metadata[`spikeflow_exact_${k}`] = v;
  const node = { type: out.type, params: Object.fromEntries(Object.entries(out.params).map(([k, v]) => [k, filled(shape, v)])), metadata };
  return { node, spikes: plugin.output !== 'v' };
}

const isNeuronType = (t: string): t is NeuronNodeType => t in NEURON_PARAMS;

/** NIR pads both sides equally; TensorFlow's 'same' may pad one more after. */
function symmetricPadding(shape: number[], window: [number, number], stride: [number, number], padding: unknown): [number, number] {
  const zeros = explicitPadding(padding);
  if (zeros) return zeros;
  if (padding === 'valid') return [0, 0];
  const [top, bottom] = samePadding(shape[0], window[0], stride[0]);
  const [left, right] = samePadding(shape[1], window[1], stride[1]);
  if (top !== bottom || left !== right) {
    throw new Error(
      `'same' padding of a ${window[0]}x${window[1]} window with stride ${stride.join('x')} on a ${shape[0]}x${shape[1]} input pads unevenly (top ${top}, bottom ${bottom}, left ${left}, right ${right}); NIR pads both sides equally. Use padding 'valid', explicit padding (a number or [height, width] of zeros on both sides) or an input size that pads evenly`,
    );
  }
  return [top, left];
}

function uniqueName(base: string, taken: Record<string, unknown>): string {
  let name = base;
  for (let k = 1; name in taken; k++) name = `${base}_${k}`;
  return name;
}

