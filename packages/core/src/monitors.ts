import * as tf from '@tensorflow/tfjs';
import type { Network } from './network.js';

/** What a neuron layer recorded on one forward pass: spikes and v, each [T, N, ...features]. */
export interface LayerRecord {
  spikes: tf.Tensor;
  v?: tf.Tensor;
}

/**
 * Observes a network on a probe batch. Monitors cost nothing while they are not run: the training
 * step records nothing; `runMonitors` makes one extra forward pass (evaluation mode) over a probe
 * batch with the union of the layers the monitors ask for, and each monitor reads what it needs.
 */
export interface Monitor<R = unknown> {
  /** Key of the result in `runMonitors`' output (and in epoch reports). */
  readonly name: string;
  /** Neuron layers to record; undefined = every neuron layer of the network. */
  readonly layers?: readonly string[];
  /** Reads the records (asynchronously; never a synchronous device read). Must not dispose them. */
  collect(records: ReadonlyMap<string, LayerRecord>, network: Network): Promise<R>;
}

/** Names of the neuron layers of a network, in order. */
export function neuronLayerNames(network: Network): string[] {
  return network.layers.filter((l) => l.neuron).map((l) => l.name);
}

/** Mean firing rate per neuron layer: spikes / (T x N x neurons), in [0, 1]. */
export function firingRateMonitor(options: { layers?: readonly string[]; name?: string } = {}): Monitor<Record<string, number>> {
  return {
    name: options.name ?? 'firingRate',
    layers: options.layers,
    async collect(records) {
      const names = [...records.keys()].filter((n) => !options.layers || options.layers.includes(n));
      const means = tf.tidy(() => tf.stack(names.map((n) => tf.mean(records.get(n)!.spikes))));
      const values = await means.data();
      means.dispose();
      return Object.fromEntries(names.map((n, i) => [n, values[i]]));
    },
  };
}

/** Spikes of chosen neurons of one sample over time: spikes[t][k] is 0 or 1. */
export interface Raster {
  sample: number;
  /** Flat feature indices of the neurons shown. */
  neurons: number[];
  /** [T][neurons.length] */
  spikes: number[][];
}

/** Membrane potential of chosen neurons of one sample over time: v[t][k]. */
export interface MembraneTrace {
  sample: number;
  neurons: number[];
  /** [T][neurons.length] */
  v: number[][];
}

export interface SampleMonitorOptions {
  /** Neuron layers to show; default every neuron layer. */
  layers?: readonly string[];
  /** Index of the sample in the probe batch (default 0). */
  sample?: number;
  /** At most this many neurons per layer (default 64 for rasters, 4 for traces). */
  maxNeurons?: number;
  name?: string;
}

/**
 * Neurons to show from a layer: `k` spread evenly over the neurons that fired on the sample, from
 * the most to the least active (so a raster shows a range of rates, not only saturated neurons),
 * topped up with silent ones; sorted by index.
 */
function pickNeurons(counts: Float32Array | Int32Array | Uint8Array, k: number): number[] {
  const order = Array.from(counts.keys()).sort((a, b) => counts[b] - counts[a] || a - b);
  const active = order.filter((i) => counts[i] > 0);
  const want = Math.min(k, counts.length);
  let picked: number[];
  if (active.length <= want) picked = [...active, ...order.slice(active.length, active.length + want - active.length)];
  else picked = Array.from({ length: want }, (_, j) => active[Math.floor((j * active.length) / want)]);
  return picked.sort((a, b) => a - b);
}

async function sampleSteps(t: tf.Tensor, sample: number): Promise<{ T: number; F: number; data: Float32Array }> {
  const [T, N] = t.shape;
  if (sample < 0 || sample >= N) throw new RangeError(`monitor: sample ${sample} is outside the probe batch of ${N}`);
  const F = t.size / (T * N);
  const slice = tf.tidy(() => t.reshape([T, N, F]).slice([0, sample, 0], [T, 1, F]).reshape([T, F]));
  const data = (await slice.data()) as Float32Array;
  slice.dispose();
  return { T, F, data };
}

function rows(data: Float32Array, T: number, F: number, neurons: number[]): number[][] {
  return Array.from({ length: T }, (_, t) => neurons.map((k) => data[t * F + k]));
}

function spikeCounts(data: Float32Array, T: number, F: number): Float32Array {
  const counts = new Float32Array(F);
  for (let t = 0; t < T; t++) for (let k = 0; k < F; k++) counts[k] += data[t * F + k];
  return counts;
}

/**
 * A monitor that shows, per layer, the neurons `pickNeurons` chooses by their spike counts on one
 * probe sample, over time: `values` is what it shows of a layer's record (undefined: skip the
 * layer), `result` builds the layer's entry from the sample, the neurons and their [T][k] values.
 */
function sampleMonitor<R>(
  options: SampleMonitorOptions,
  defaults: { name: string; maxNeurons: number },
  values: (record: LayerRecord) => tf.Tensor | undefined,
  result: (sample: number, neurons: number[], shown: number[][]) => R,
): Monitor<Record<string, R>> {
  const sample = options.sample ?? 0;
  return {
    name: options.name ?? defaults.name,
    layers: options.layers,
    async collect(records) {
      const out: Record<string, R> = {};
      for (const [layer, r] of records) {
        if (options.layers && !options.layers.includes(layer)) continue;
        const shown = values(r);
        if (!shown) continue;
        const spikes = await sampleSteps(r.spikes, sample);
        const { T, F, data } = shown === r.spikes ? spikes : await sampleSteps(shown, sample);
        const neurons = pickNeurons(spikeCounts(spikes.data, T, F), options.maxNeurons ?? defaults.maxNeurons);
        out[layer] = result(sample, neurons, rows(data, T, F, neurons));
      }
      return out;
    },
  };
}

/** A spike raster per layer of one probe sample. */
export function spikeRasterMonitor(options: SampleMonitorOptions = {}): Monitor<Record<string, Raster>> {
  return sampleMonitor(options, { name: 'raster', maxNeurons: 64 }, (r) => r.spikes, (sample, neurons, spikes) => ({ sample, neurons, spikes }));
}

/** Membrane potential traces per layer of one probe sample (the most active neurons). */
export function membraneMonitor(options: SampleMonitorOptions = {}): Monitor<Record<string, MembraneTrace>> {
  return sampleMonitor(options, { name: 'membrane', maxNeurons: 4 }, (r) => r.v, (sample, neurons, v) => ({ sample, neurons, v }));
}

/**
 * Runs every monitor on one forward pass over `input` (evaluation mode: no dropout, batch norm
 * from running statistics). Returns { [monitor.name]: result }; every recorded tensor is disposed.
 */
export async function runMonitors(network: Network, input: tf.Tensor, monitors: readonly Monitor[]): Promise<Record<string, unknown>> {
  if (monitors.length === 0) return {};
  const all = neuronLayerNames(network);
  const wanted = new Set<string>();
  for (const m of monitors) {
    for (const layer of m.layers ?? all) {
      if (!all.includes(layer)) throw new Error(`monitor "${m.name}": "${layer}" is not a neuron layer of this network; neuron layers: ${all.join(', ')}`);
      wanted.add(layer);
    }
  }
  const { output, records } = network.forward(input, { record: all.filter((l) => wanted.has(l)) });
  output.dispose();
  try {
    const out: Record<string, unknown> = {};
    for (const m of monitors) out[m.name] = await m.collect(records, network);
    return out;
  } finally {
    for (const r of records.values()) tf.dispose([r.spikes, ...(r.v ? [r.v] : [])]);
  }
}
