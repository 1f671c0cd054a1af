import { field, type OptionSchema } from './fields.js';

/**
 * Fields of each built-in layer kind. Neuron layers also take the options of their neuron plugin
 * and the surrogate's; pool layers those of their pool plugin (see PluginCatalog).
 */
export const LAYER_FIELDS = {
  conv2d: {
    filters: field.integer({ exclusiveMin: 0, description: 'number of output channels' }),
    kernelSize: field.size({ description: 'kernel height and width' }),
    stride: field.size({ default: 1, description: 'step between windows' }),
    padding: field.padding({ default: 'same', description: "'same' keeps height and width at stride 1; a number or [height, width] adds that many zeros on both sides" }),
    useBias: field.boolean({ default: true, description: 'add a learned bias per channel' }),
  },
  dense: {
    units: field.integer({ exclusiveMin: 0, description: 'number of outputs' }),
    useBias: field.boolean({ default: true, description: 'add a learned bias per unit' }),
  },
  batchNorm: {
    momentum: field.number({ min: 0, max: 1, default: 0.1, description: 'weight of the batch statistic in the running average (PyTorch convention)' }),
    epsilon: field.number({ exclusiveMin: 0, default: 1e-5, description: 'added to the variance' }),
  },
  neuron: {
    neuron: field.string({ description: 'neuron kind (a registered neuron plugin: if, lif, plif, ...)' }),
    vThreshold: field.number({ default: 1, description: 'firing threshold' }),
    vReset: field.number({ default: 0, nullable: true, description: 'potential after a spike; null = soft reset (subtract vThreshold)' }),
    vRest: field.number({ optional: true, description: 'leak target and initial potential; default vReset (0 for soft reset)' }),
    detachReset: field.boolean({ default: false, description: 'treat the spike inside the reset as a constant in the backward pass' }),
    surrogate: { type: 'object', default: { kind: 'atan' }, description: 'surrogate gradient of the spike: { kind, ...options }' },
  },
  pool: {
    pool: field.string({ description: 'pooling kind (a registered pool plugin: max, avg, ...)' }),
    size: field.size({ default: 2, description: 'window height and width' }),
    stride: field.size({ optional: true, description: 'step between windows; default size' }),
    padding: field.enum({ values: ['same', 'valid'], default: 'valid', description: 'border handling' }),
  },
  flatten: {},
  dropout: {
    rate: field.number({ min: 0, exclusiveMax: 1, default: 0.5, description: 'fraction dropped; one mask per sample shared over all T steps' }),
  },
  voting: {
    groups: field.integer({ exclusiveMin: 0, description: 'number of classes; units are averaged in groups of units/groups' }),
  },
} satisfies Record<string, OptionSchema>;

export type BuiltinLayerKind = keyof typeof LAYER_FIELDS;
export const LAYER_KINDS = Object.keys(LAYER_FIELDS) as BuiltinLayerKind[];

/** Fields every layer may have. */
export const COMMON_LAYER_FIELDS: OptionSchema = {
  kind: field.string({ description: 'layer kind' }),
  name: field.string({ optional: true, description: 'name used by monitors and checkpoints' }),
};

export const pair = (v: unknown): [number, number] => (Array.isArray(v) ? [v[0], v[1]] : [v as number, v as number]);

/** Output size of a windowed op along one axis, as TensorFlow computes it; a number pads that many zeros on both sides. */
export function windowOutput(size: number, window: number, stride: number, padding: string | number): number {
  if (typeof padding === 'number') return Math.floor((size + 2 * padding - window) / stride) + 1;
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - window) / stride) + 1;
}

/** Explicit padding [height, width] of a conv2d, or undefined for 'same' / 'valid'. */
export function explicitPadding(padding: unknown): [number, number] | undefined {
  return typeof padding === 'number' || Array.isArray(padding) ? pair(padding) : undefined;
}
