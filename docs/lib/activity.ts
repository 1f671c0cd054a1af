// What every neuron layer of a network does on one sample: spikes over T and the firing rate.
import * as tf from '@tensorflow/tfjs';
import { neuronLayerNames, type LayerRecord, type Monitor, type Network } from '@spikeflow/core';

export interface LayerActivity {
  name: string;
  /** Feature shape of the layer: [H, W, C] for convolutional layers, [units] for dense ones. */
  shape: number[];
  timeSteps: number;
  /** Spikes [T, ...shape] of the sample, 0 or 1. */
  spikes: Uint8Array;
  /** Mean spikes per neuron and step. */
  rate: number;
}

export interface SampleActivity {
  layers: LayerActivity[];
  /** The output's mean over T per class (votes or firing rates). */
  scores: Float32Array;
}

async function layerActivity(name: string, spikes: tf.Tensor): Promise<LayerActivity> {
  const values = await spikes.data();
  const bits = Uint8Array.from(values, (v) => (v > 0.5 ? 1 : 0));
  const total = bits.reduce((a, b) => a + b, 0);
  return { name, shape: spikes.shape.slice(2), timeSteps: spikes.shape[0], spikes: bits, rate: total / bits.length };
}

/**
 * A monitor (for @spikeflow/core's runMonitors and fit) of every neuron of every layer on a
 * one-sample probe batch: the whole spike map, not a selection of neurons, for drawing.
 */
export function spikeMapMonitor(name = 'spikeMaps'): Monitor<LayerActivity[]> {
  return {
    name,
    async collect(records: ReadonlyMap<string, LayerRecord>) {
      const out: LayerActivity[] = [];
      for (const [layer, r] of records) out.push(await layerActivity(layer, r.spikes));
      return out;
    },
  };
}

/** Runs one sample ([1, ...input]) through the network, recording every neuron layer, and keeps the output. */
export async function sampleActivity(network: Network, input: tf.Tensor): Promise<SampleActivity> {
  const names = neuronLayerNames(network);
  const { output, records } = network.forward(input, { record: names });
  const scores = tf.tidy(() => tf.mean(output, 0).reshape([-1]));
  try {
    const layers: LayerActivity[] = [];
    for (const name of names) layers.push(await layerActivity(name, records.get(name)!.spikes));
    return { layers, scores: new Float32Array(await scores.data()) };
  } finally {
    tf.dispose([output, scores, ...[...records.values()].flatMap((r) => (r.v ? [r.spikes, r.v] : [r.spikes]))]);
  }
}
