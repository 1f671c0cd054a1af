// The neuron playground's model: one neuron layer of the chosen plugin, driven by an input current
// over T steps, run by @spikeflow/core (the same op that trains networks).
import * as tf from '@tensorflow/tfjs';
import { build, parseSpec, registry } from '@spikeflow/core';
import type { FieldSpec } from '@spikeflow/spec';

export type InputKind = 'constant' | 'noisy' | 'step';

export interface PlaygroundInput {
  kind: InputKind;
  /** Current amplitude (the value of X[t] for a constant input). */
  amplitude: number;
  steps: number;
  /** Seed of the noisy input, so a redraw changes only what a control changed. */
  seed?: number;
}

export interface PlaygroundNeuron {
  neuron: string;
  vThreshold: number;
  /** null = soft reset (subtract the threshold). */
  vReset: number | null;
  vRest: number;
  /** The plugin's own options (tau, initTau, ...). */
  options: Record<string, number | boolean>;
}

export interface Trace {
  input: Float32Array;
  /** Membrane potential after each step's fire and reset. */
  v: Float32Array;
  spikes: Float32Array;
}

/** A numeric or boolean option of a neuron plugin, with a slider range around its default. */
export interface OptionControl {
  name: string;
  description: string;
  type: 'number' | 'boolean';
  default: number | boolean;
  min?: number;
  max?: number;
  step?: number;
}

/** The installed neuron plugins, in registration order. */
export function neuronKinds(): Array<{ kind: string; description: string }> {
  return [...registry.neurons.values()].map((p) => ({ kind: p.kind, description: p.description ?? '' }));
}

/** Controls for a plugin's own options: sliders for numbers, checkboxes for booleans. */
export function optionControls(kind: string): OptionControl[] {
  const plugin = registry.neurons.get(kind);
  if (!plugin) throw new Error(`playground: neuron "${kind}" is not registered; known: ${[...registry.neurons.keys()].join(', ')}`);
  return Object.entries(plugin.options as Record<string, FieldSpec>).flatMap(([name, f]): OptionControl[] => {
    if (f.type === 'boolean') return [{ name, description: f.description, type: 'boolean', default: f.default ?? false }];
    if (f.type !== 'number' || typeof f.default !== 'number') return [];
    const d = f.default;
    const lo = f.min ?? (f.exclusiveMin !== undefined ? f.exclusiveMin + 0.05 : Math.min(0, d) - Math.max(1, Math.abs(d)) * 2);
    const hi = f.max ?? (f.exclusiveMax !== undefined ? f.exclusiveMax - 0.05 : Math.max(d * 4, lo + 2, d + 2));
    return [{ name, description: f.description, type: 'number', default: d, min: round(lo), max: round(hi), step: f.integer ? 1 : round((hi - lo) / 200) || 0.01 }];
  });
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** The input current over time. */
export function inputCurrent(input: PlaygroundInput): Float32Array {
  const x = new Float32Array(input.steps);
  let s = (input.seed ?? 1) >>> 0;
  const uniform = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  for (let t = 0; t < input.steps; t++) {
    if (input.kind === 'constant') x[t] = input.amplitude;
    else if (input.kind === 'step') x[t] = t >= input.steps / 4 && t < (3 * input.steps) / 4 ? input.amplitude : 0;
    else x[t] = input.amplitude * (1 + 1.5 * (uniform() + uniform() + uniform() - 1.5));
  }
  return x;
}

/** Runs one neuron over the input with spikeflow and returns its potential and spikes per step. */
export async function simulate(neuron: PlaygroundNeuron, input: PlaygroundInput): Promise<Trace> {
  const current = inputCurrent(input);
  // The neuron kind is chosen at run time, so the spec goes through parseSpec (checked against the registry).
  const net = build(parseSpec({
    input: { shape: [1] },
    timeSteps: input.steps,
    encoder: { kind: 'sequence' },
    layers: [{ kind: 'neuron', name: 'cell', neuron: neuron.neuron, vThreshold: neuron.vThreshold, vReset: neuron.vReset, vRest: neuron.vRest, ...neuron.options }],
  }));
  try {
    const x = tf.tensor3d(current, [input.steps, 1, 1]);
    const { output, records } = net.forward(x, { record: ['cell'] });
    const rec = records.get('cell')!;
    const [v, spikes] = await Promise.all([rec.v!.data(), rec.spikes.data()]);
    tf.dispose([x, output, rec.v!, rec.spikes]);
    return { input: current, v: new Float32Array(v), spikes: new Float32Array(spikes) };
  } finally {
    net.dispose();
  }
}
