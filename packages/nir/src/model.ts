import * as tf from '@tensorflow/tfjs';
import { build, parseSpec, type BuildOptions, type Network } from '@spikeflow/core';
import type { NormalizedLayer, NormalizedModelSpec } from '@spikeflow/spec';

/** A weight by its checkpoint name (`${layer}/${param}`), in spikeflow's layout (NHWC, kernels [kh, kw, cin, cout]). */
export interface Weight {
  shape: number[];
  data: Float32Array;
}

/**
 * A network as data: its spec (every layer named) and its weights. Export and import go through
 * this form, so it can be checked, folded and built without touching a device.
 */
export interface SpikeflowModel {
  spec: NormalizedModelSpec;
  weights: Record<string, Weight>;
  /** What an import read otherwise than the file says, one line each (e.g. a repaired edge name). */
  notes?: string[];
}

/** Reads a built network's spec and weights (async: no synchronous device read). */
export async function readModel(network: Network): Promise<SpikeflowModel> {
  const layers: NormalizedLayer[] = network.layers.map((l) => ({ ...l.spec, name: l.name }));
  const weights: Record<string, Weight> = {};
  for (const v of network.namedVariables()) {
    weights[v.name] = { shape: [...v.variable.shape], data: Float32Array.from(await v.variable.data()) };
  }
  return { spec: { ...network.spec, layers }, weights };
}

/** Builds a network from a model and sets every weight; a missing or misshapen weight is an error naming it. */
export function buildModel(model: SpikeflowModel, options: BuildOptions = {}): Network {
  const network = build(parseSpec(model.spec, options.registry), options);
  for (const v of network.namedVariables()) {
    const w = model.weights[v.name];
    if (!w) throw new Error(`buildModel: no weight "${v.name}" for layer "${v.name.split('/')[0]}"`);
    if (!tf.util.arraysEqual(w.shape, v.variable.shape)) {
      throw new Error(`buildModel: weight "${v.name}" has shape [${w.shape}], the layer expects [${v.variable.shape}]`);
    }
    v.variable.assign(tf.tensor(w.data, w.shape, 'float32'));
  }
  return network;
}

export const layerName = (layer: NormalizedLayer, index: number): string => layer.name ?? `${layer.kind}${index}`;
