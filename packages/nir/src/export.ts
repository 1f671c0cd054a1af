import { registry as sharedRegistry, type NeuronCommonOptions, type Network, type Registry } from '@spikeflow/core';
import { explicitPadding, layerShapes, pair, type NormalizedLayer } from '@spikeflow/spec';
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
 * The NIR graph of a spikeflow model: a chain input -> layers -> output. Batch norm is folded into
 * the layer before it, dropout (identity at inference) is left out, voting becomes a fixed Affine.
 */
export function modelToNir(model: SpikeflowModel, options: ExportOptions = {}): NirGraph {
  const dt = options.dt ?? 1;
  if (!(dt > 0) || !Number.isFinite(dt)) throw new NirError(`dt must be a positive number, got ${dt}`);
  const folded = foldBatchNorm(model);
  const { spec, weights } = folded;
  const shapes = layerShapes(spec);
  const nodes: Record<string, NirNode> = {};
  const order: string[] = [];
  const add = (name: string, node: NirNode) => {
    if (name in nodes) throw new NirError(`two layers are named "${name}"; NIR node names must be unique`);
    nodes[name] = node;
    order.push(name);
  };
  const weight = (name: string) => {
    const w = weights[name];
    if (!w) throw new NirError(`the model has no weight "${name}"`);
    return w;
  };

  add('input', { type: 'Input', shape: toNchw(spec.input.shape) });
  let shape = spec.input.shape;
  // Shape [H, W, C] that the last flatten turned into a vector, until a dense layer reorders it.
  let flatFrom: number[] | null = null;
  // Whether the current signal is binary spikes (max pooling is exact as an OR only then).
  let spikes = spec.encoder.kind === 'poisson';

  spec.layers.forEach((layer, i) => {
    const name = layer.name ?? `${layer.kind}${i}`;
    const where = `layers[${i}] "${name}"`;
    const outShape = shapes[i];
    switch (layer.kind) {
      case 'conv2d': {
        const kernel = weight(`${name}/kernel`);
        const [kh, kw] = pair(layer.kernelSize);
        const stride = pair(layer.stride);
        const padding = symmetricPadding(shape, [kh, kw], stride, layer.padding, where);
        const bias = weights[`${name}/bias`];
        add(name, {
          type: 'Conv2d',
          inputShape: [shape[0], shape[1]],
          weight: kernelToNir(kernel),
          stride,
          padding,
          dilation: [1, 1],
          groups: 1,
          bias: bias ? ndarray(bias.shape, bias.data) : filled([layer.filters as number], 0),
        });
        spikes = false;
        break;
      }
      case 'dense': {
        const weightNir = denseToNir(weight(`${name}/kernel`), flatFrom);
        const bias = weights[`${name}/bias`];
        add(name, bias ? { type: 'Affine', weight: weightNir, bias: ndarray(bias.shape, bias.data) } : { type: 'Linear', weight: weightNir });
        flatFrom = null;
        spikes = false;
        break;
      }
      case 'neuron':
        add(name, neuronNode(layer, toNchw(shape), dt, weights, where, options.registry ?? sharedRegistry));
        spikes = (options.registry ?? sharedRegistry).neurons.get(layer.neuron as string)?.output !== 'v';
        break;
      case 'pool': {
        const size = pair(layer.size);
        const stride = pair(layer.stride ?? layer.size);
        const padding = symmetricPadding(shape, size, stride, layer.padding as string, where);
        if (layer.pool === 'avg') {
          if (padding[0] !== 0 || padding[1] !== 0) {
            throw new NirError(`${where}: average pooling with 'same' padding pads this input; tfjs leaves the padding out of the mean, PyTorch-style readers of NIR count it. Use padding 'valid'`);
          }
          add(name, { type: 'AvgPool2d', kernelSize: size, stride, padding });
          spikes = false;
        } else if (layer.pool === 'max') {
          if ((options.maxPool ?? 'refuse') !== 'spike-or') {
            throw new NirError(
              `${where}: max pooling has no NIR node. On binary spikes it is the OR of each window, which NIR expresses exactly as SumPool2d followed by IF(threshold 0.5, reset 0); ask for that with maxPool: 'spike-or' (CLI: --max-pool spike-or)`,
            );
          }
          if (!spikes) throw new NirError(`${where}: max pooling can be exported as an OR only on binary spikes, and its input here is not spikes (it comes from ${describeSource(spec.layers, i)})`);
          if (padding[0] !== 0 || padding[1] !== 0) throw new NirError(`${where}: max pooling with padding is not exported (the OR form needs padding 'valid' or a 'same' that pads nothing)`);
          add(name, { type: 'SumPool2d', kernelSize: size, stride, padding });
          // Sum >= 0.5 exactly when some spike in the window is 1; v resets to 0 either way.
          const n = toNchw(outShape);
          add(`${name}_or`, { type: 'IF', params: { r: filled(n, 1 / dt), v_threshold: filled(n, 0.5), v_reset: filled(n, 0) }, metadata: { spikeflow_layer: 'max_pool_or' } });
        } else {
          throw new NirError(`${where}: pool "${String(layer.pool)}" has no NIR node (spikeflow exports max and avg)`);
        }
        break;
      }
      case 'flatten':
        add(name, { type: 'Flatten', inputType: toNchw(shape), startDim: 0, endDim: -1 });
        if (shape.length === 3) flatFrom = [...shape];
        break;
      case 'dropout':
        break; // identity at inference
      case 'voting': {
        if (flatFrom) throw new NirError(`${where}: voting right after flattening a feature map depends on the feature order; put a dense layer between`);
        const groups = layer.groups as number;
        const units = shape[0];
        const per = units / groups;
        const w = new Float32Array(groups * units);
        for (let g = 0; g < groups; g++) for (let u = 0; u < per; u++) w[g * units + g * per + u] = 1 / per;
        add(name, { type: 'Affine', weight: { shape: [groups, units], data: w }, bias: filled([groups], 0), metadata: { spikeflow_layer: 'voting' } });
        spikes = false;
        break;
      }
      default:
        throw new NirError(`${where}: layer kind "${layer.kind}" has no NIR export`);
    }
    shape = outShape;
  });

  add(uniqueName('output', nodes), { type: 'Output', shape: toNchw(shape) });
  const edges: Array<[string, string]> = order.slice(1).map((n, k) => [order[k], n]);
  const metadata: Metadata = { dt, time_steps: spec.timeSteps, spikeflow_encoder: spec.encoder.kind };
  if (spec.name) metadata.spikeflow_name = spec.name;
  return { nodes, edges, metadata, version: NIR_VERSION };
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

function describeSource(layers: NormalizedLayer[], i: number): string {
  for (let j = i - 1; j >= 0; j--) if (layers[j].kind !== 'dropout') return `a ${layers[j].kind} layer "${layers[j].name}"`;
  return 'the input';
}

function uniqueName(base: string, taken: Record<string, unknown>): string {
  let name = base;
  for (let k = 1; name in taken; k++) name = `${base}_${k}`;
  return name;
}

