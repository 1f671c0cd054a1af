import { registry as sharedRegistry, type NeuronCommonOptions, type Network, type Registry } from '@spikeflow/core';
import { explicitPadding, layerNames, layerShapes, pair, resolveGraph, type NormalizedLayer } from '@spikeflow/spec';
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

/** What a layer's output is in the NIR graph: the node that gives it, and what is known of it. */
interface Out {
  node: string;
  /** spikeflow's shape [H, W, C] or [F]. */
  shape: number[];
  /** Shape [H, W, C] that a flatten turned into this vector, until a dense layer reorders it. */
  flatFrom: number[] | null;
  /** Binary spikes (max pooling is exact as an OR only then). */
  spikes: boolean;
}

/**
 * The NIR graph of a spikeflow model. Every layer reads the nodes of the layers it names (NIR sums
 * the inputs of a node with several edges). Batch norm is folded into the layer it reads, dropout
 * (identity at inference) is left out, voting becomes a fixed Affine, `add` an identity Scale node,
 * a recurrent layer its input weights, its neurons and a `w_rec` node in a cycle.
 */
export function modelToNir(model: SpikeflowModel, options: ExportOptions = {}): NirGraph {
  const dt = options.dt ?? 1;
  if (!(dt > 0) || !Number.isFinite(dt)) throw new NirError(`dt must be a positive number, got ${dt}`);
  const registry = options.registry ?? sharedRegistry;
  const folded = foldBatchNorm(model);
  const { spec, weights } = folded;
  const shapes = layerShapes(spec);
  const graph = resolveGraph(spec.layers, []);
  // Errors name a layer by its index in the model as written (batch norm included).
  const written = layerNames(model.spec.layers);
  const nodes: Record<string, NirNode> = {};
  const edges: Array<[string, string]> = [];
  const add = (name: string, node: NirNode) => {
    if (name in nodes) throw new NirError(`two layers are named "${name}"; NIR node names must be unique`);
    nodes[name] = node;
  };
  const weight = (name: string) => {
    const w = weights[name];
    if (!w) throw new NirError(`the model has no weight "${name}"`);
    return w;
  };
  const connect = (from: Out[], to: string) => from.forEach((f) => edges.push([f.node, to]));

  add('input', { type: 'Input', shape: toNchw(spec.input.shape) });
  const start: Out = { node: 'input', shape: spec.input.shape, flatFrom: null, spikes: spec.encoder.kind === 'poisson' };
  const outs: Out[] = [];

  spec.layers.forEach((layer, i) => {
    const name = graph.names[i];
    const where = `layers[${written.indexOf(name)}] "${name}"`;
    const from = graph.inputs[i].map((j) => (j < 0 ? start : outs[j]));
    const [x] = from;
    const shape = x.shape;
    const outShape = shapes[i];
    // The inputs as written, so that spikeflow reads its own file back to the same spec.
    const entry = (node: NirNode): NirNode => (layer.inputs ? { ...node, metadata: { ...node.metadata, spikeflow_inputs: JSON.stringify(layer.inputs) } } : node);
    let out: Out = { node: name, shape: outShape, flatFrom: x.flatFrom, spikes: false };
    switch (layer.kind) {
      case 'conv2d': {
        const kernel = weight(`${name}/kernel`);
        const [kh, kw] = pair(layer.kernelSize);
        const stride = pair(layer.stride);
        const padding = symmetricPadding(shape, [kh, kw], stride, layer.padding, where);
        const bias = weights[`${name}/bias`];
        add(name, entry({
          type: 'Conv2d',
          inputShape: [shape[0], shape[1]],
          weight: kernelToNir(kernel),
          stride,
          padding,
          dilation: [1, 1],
          groups: 1,
          bias: bias ? ndarray(bias.shape, bias.data) : filled([layer.filters as number], 0),
        }));
        connect(from, name);
        out = { ...out, flatFrom: null };
        break;
      }
      case 'dense': {
        const weightNir = denseToNir(weight(`${name}/kernel`), x.flatFrom);
        const bias = weights[`${name}/bias`];
        add(name, entry(bias ? { type: 'Affine', weight: weightNir, bias: ndarray(bias.shape, bias.data) } : { type: 'Linear', weight: weightNir }));
        connect(from, name);
        out = { ...out, flatFrom: null };
        break;
      }
      case 'neuron':
        add(name, entry(neuronNode(layer, toNchw(shape), dt, weights, where, registry)));
        connect(from, name);
        out = { ...out, spikes: registry.neurons.get(layer.neuron as string)?.output !== 'v' };
        break;
      case 'recurrent':
        out = { ...out, node: recurrentNodes(layer, name, from, dt, weights, where, registry, add, connect, entry), spikes: true };
        break;
      case 'pool': {
        const size = pair(layer.size);
        const stride = pair(layer.stride ?? layer.size);
        const padding = symmetricPadding(shape, size, stride, layer.padding as string, where);
        if (layer.pool === 'avg') {
          if (padding[0] !== 0 || padding[1] !== 0) {
            throw new NirError(`${where}: average pooling with 'same' padding pads this input; tfjs leaves the padding out of the mean, PyTorch-style readers of NIR count it. Use padding 'valid'`);
          }
          add(name, entry({ type: 'AvgPool2d', kernelSize: size, stride, padding }));
          connect(from, name);
        } else if (layer.pool === 'max') {
          if ((options.maxPool ?? 'refuse') !== 'spike-or') {
            throw new NirError(
              `${where}: max pooling has no NIR node. On binary spikes it is the OR of each window, which NIR expresses exactly as SumPool2d followed by IF(threshold 0.5, reset 0); ask for that with maxPool: 'spike-or' (CLI: --max-pool spike-or)`,
            );
          }
          if (!x.spikes) throw new NirError(`${where}: max pooling can be exported as an OR only on binary spikes, and its input here is not spikes (it comes from ${describeSource(spec.layers, graph.inputs[i][0], x)})`);
          if (padding[0] !== 0 || padding[1] !== 0) throw new NirError(`${where}: max pooling with padding is not exported (the OR form needs padding 'valid' or a 'same' that pads nothing)`);
          add(name, entry({ type: 'SumPool2d', kernelSize: size, stride, padding }));
          connect(from, name);
          // Sum >= 0.5 exactly when some spike in the window is 1; v resets to 0 either way.
          const n = toNchw(outShape);
          add(`${name}_or`, { type: 'IF', params: { r: filled(n, 1 / dt), v_threshold: filled(n, 0.5), v_reset: filled(n, 0) }, metadata: { spikeflow_layer: 'max_pool_or' } });
          edges.push([name, `${name}_or`]);
          out = { ...out, node: `${name}_or`, spikes: true };
        } else {
          throw new NirError(`${where}: pool "${String(layer.pool)}" has no NIR node (spikeflow exports max and avg)`);
        }
        break;
      }
      case 'flatten':
        add(name, entry({ type: 'Flatten', inputType: toNchw(shape), startDim: 0, endDim: -1 }));
        connect(from, name);
        out = { ...out, flatFrom: shape.length === 3 ? [...shape] : x.flatFrom, spikes: x.spikes };
        break;
      case 'dropout':
        out = x; // identity at inference: readers read its input
        break;
      case 'voting': {
        if (x.flatFrom) throw new NirError(`${where}: voting right after flattening a feature map depends on the feature order; put a dense layer between`);
        const groups = layer.groups as number;
        const units = shape[0];
        const per = units / groups;
        const w = new Float32Array(groups * units);
        for (let g = 0; g < groups; g++) for (let u = 0; u < per; u++) w[g * units + g * per + u] = 1 / per;
        add(name, entry({ type: 'Affine', weight: { shape: [groups, units], data: w }, bias: filled([groups], 0), metadata: { spikeflow_layer: 'voting' } }));
        connect(from, name);
        break;
      }
      case 'add': {
        if (from.some((f) => JSON.stringify(f.flatFrom) !== JSON.stringify(x.flatFrom))) throw new NirError(`${where}: adds vectors flattened from different feature maps`);
        // NIR sums the edges into a node; an identity Scale gives the sum its own node (and name).
        add(name, entry({ type: 'Scale', scale: filled(toNchw(outShape), 1), metadata: { spikeflow_layer: 'add' } }));
        connect(from, name);
        break;
      }
      case 'concat':
      case 'and':
      case 'iand':
        throw new NirError(`${where}: ${MERGE_REFUSALS[layer.kind]}`);
      default:
        throw new NirError(`${where}: layer kind "${layer.kind}" has no NIR export`);
    }
    outs.push(out);
  });

  const last = outs[outs.length - 1] ?? start;
  const output = uniqueName('output', nodes);
  add(output, { type: 'Output', shape: toNchw(last.shape) });
  edges.push([last.node, output]);
  const metadata: Metadata = { dt, time_steps: spec.timeSteps, spikeflow_encoder: spec.encoder.kind };
  if (spec.name) metadata.spikeflow_name = spec.name;
  return { nodes, edges, metadata, version: NIR_VERSION };
}

const MERGE_REFUSALS: Record<string, string> = {
  concat: 'concat has no NIR node (NIR sums the edges into a node, it does not join them); export the network with add, or concatenate before a dense layer by giving each input its own dense layer and adding them',
  and: "SEW's AND multiplies spikes, and NIR has no node that multiplies two signals; export with the add connect function",
  iand: "SEW's IAND multiplies spikes ((1 - a) * b), and NIR has no node that multiplies two signals; export with the add connect function",
};

/**
 * A recurrent layer as snnTorch writes RLeaky and RSynaptic, flat: the neuron node `name` fed back
 * its own spikes through `name.w_rec` (Linear; Scale for an element-wise connection), NIR's cycle
 * carrying them to step t + 1. A dense connection's input weights and bias go before it, in
 * `name.w_in`. Returns the node that gives the layer's output (the neuron node).
 */
function recurrentNodes(
  layer: NormalizedLayer,
  name: string,
  from: Out[],
  dt: number,
  weights: SpikeflowModel['weights'],
  where: string,
  registry: Registry,
  add: (name: string, node: NirNode) => void,
  connect: (from: Out[], to: string) => void,
  entry: (node: NirNode) => NirNode,
): string {
  const [x] = from;
  const shape = x.shape;
  const F = shape.reduce((a, b) => a * b, 1);
  const own = ['kernel', 'bias', 'recurrentWeight'].map((p) => `${name}/${p}`);
  const neuronWeights = Object.fromEntries(Object.entries(weights).filter(([k]) => !own.includes(k)));
  const neuron = neuronNode({ ...layer, kind: 'neuron' }, toNchw(shape), dt, neuronWeights, where, registry);
  const back = `${name}.w_rec`;
  if (layer.connection === 'elementwise') {
    const w = weights[`${name}/recurrentWeight`];
    if (!w) throw new NirError(`${where}: the model has no weight "${name}/recurrentWeight"`);
    add(name, entry(neuron));
    connect(from, name);
    add(back, { type: 'Scale', scale: ndarray(toNchw(shape), shape.length === 3 ? toNchwData(w.data, shape) : w.data) });
  } else {
    const kernel = weights[`${name}/kernel`];
    if (!kernel) throw new NirError(`${where}: the model has no weight "${name}/kernel"`);
    const block = (k: number) => ({ shape: [F, F], data: kernel.data.slice(k * F * F, (k + 1) * F * F) });
    const bias = weights[`${name}/bias`];
    const input = `${name}.w_in`;
    const weightIn = denseToNir(block(0), x.flatFrom);
    add(input, entry(bias ? { type: 'Affine', weight: weightIn, bias: ndarray([F], bias.data) } : { type: 'Linear', weight: weightIn }));
    connect(from, input);
    add(name, neuron);
    connect([{ ...x, node: input }], name);
    add(back, { type: 'Linear', weight: denseToNir(block(1), null) });
  }
  connect([{ ...x, node: name }], back);
  connect([{ ...x, node: back }], name);
  return name;
}

/** spikeflow's [H, W, C] order of a per-neuron array -> NIR's [C, H, W]. */
function toNchwData(a: Float32Array, [H, W, C]: number[]): Float32Array {
  const out = new Float32Array(a.length);
  for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) for (let c = 0; c < C; c++) out[(c * H + h) * W + w] = a[(h * W + w) * C + c];
  return out;
}

/** A neuron layer's NIR node, from its plugin's NIR codec; each per-layer value becomes a per-neuron array. */
function neuronNode(layer: NormalizedLayer, shape: number[], dt: number, weights: SpikeflowModel['weights'], where: string, registry: Registry): NirNode {
  const kind = layer.neuron as string;
  const plugin = registry.neurons.get(kind);
  if (!plugin) throw new NirError(`${where}: neuron "${kind}" is not registered (use() its plugin before exporting)`);
  const codec = plugin.nir;
  if (!codec) throw new NirError(`${where}: neuron "${kind}" has no NIR form (its plugin has no nir codec)`);
  const params: Record<string, number> = {};
  for (const [name, w] of Object.entries(weights)) if (name.startsWith(`${layer.name}/`)) params[name.slice(layer.name!.length + 1)] = w.data[0];
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
  return { type: out.type, params: Object.fromEntries(Object.entries(out.params).map(([k, v]) => [k, filled(shape, v)])), metadata };
}

const isNeuronType = (t: string): t is NeuronNodeType => t in NEURON_PARAMS;

/** NIR pads both sides equally; TensorFlow's 'same' may pad one more after. */
function symmetricPadding(shape: number[], window: [number, number], stride: [number, number], padding: unknown, where: string): [number, number] {
  const zeros = explicitPadding(padding);
  if (zeros) return zeros;
  if (padding === 'valid') return [0, 0];
  const [top, bottom] = samePadding(shape[0], window[0], stride[0]);
  const [left, right] = samePadding(shape[1], window[1], stride[1]);
  if (top !== bottom || left !== right) {
    throw new NirError(
      `${where}: 'same' padding of a ${window[0]}x${window[1]} window with stride ${stride.join('x')} on a ${shape[0]}x${shape[1]} input pads unevenly (top ${top}, bottom ${bottom}, left ${left}, right ${right}); NIR pads both sides equally. Use padding 'valid', explicit padding (a number or [height, width] of zeros on both sides) or an input size that pads evenly`,
    );
  }
  return [top, left];
}

function describeSource(layers: NormalizedLayer[], j: number, x: Out): string {
  return j < 0 ? 'the input' : `a ${layers[j].kind} layer "${layers[j].name ?? x.node}"`;
}

function uniqueName(base: string, taken: Record<string, unknown>): string {
  let name = base;
  for (let k = 1; name in taken; k++) name = `${base}_${k}`;
  return name;
}

