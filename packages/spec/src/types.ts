/** The format tag every spikeflow model spec carries; bumped only for incompatible changes. */
export const MODEL_FORMAT = 'spikeflow.model/v1' as const;
export type ModelFormat = typeof MODEL_FORMAT;

/**
 * Registers neuron kinds and their options for type checking (declaration merging):
 *
 *   declare module '@spikeflow/spec' { interface NeuronKinds { qif: { a0?: number } } }
 *
 * @spikeflow/neurons adds if, lif and plif. While nothing is registered, any name is accepted.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface NeuronKinds {}
/** Registers surrogate-gradient kinds (`atan: { alpha?: number }`), like NeuronKinds. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SurrogateKinds {}
/** Registers pooling kinds (`max: {}`), like NeuronKinds. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PoolKinds {}

/** The union of `Base & { [keyName]: kind } & options` over the registered kinds (any name while none are). */
type Registered<R, Base, KeyName extends string> = keyof R extends never
  ? Base & { [P in KeyName]: string } & { [option: string]: unknown }
  : { [K in keyof R]: Base & { [P in KeyName]: K } & R[K] }[keyof R];

export type SurrogateSpec = Registered<SurrogateKinds, object, 'kind'>;

/** Input of the network, per sample (no time or batch axis). */
export interface InputSpec {
  /** [height, width, channels] for images, [features] for vectors. */
  shape: number[];
}

/** How a sample becomes T steps of input. */
export type EncoderSpec =
  /** The static input is fed at every step; the first layers act as the encoder (the paper's choice). */
  | { kind: 'direct' }
  /** Each step draws spikes with probability = input value (inputs in [0, 1]). */
  | { kind: 'poisson' }
  /** The input already has a time axis: [T, N, ...shape] (event data integrated to frames). */
  | { kind: 'sequence' };

interface LayerBase {
  /** Optional name; used by monitors and checkpoints. Default: `${kind}${index}`. */
  name?: string;
}
export interface Conv2dLayerSpec extends LayerBase {
  kind: 'conv2d';
  filters: number;
  kernelSize: number | [number, number];
  stride?: number | [number, number];
  /** 'same' | 'valid', or zeros added on both sides of height and width (a number or [height, width]). */
  padding?: 'same' | 'valid' | number | [number, number];
  useBias?: boolean;
}
export interface DenseLayerSpec extends LayerBase {
  kind: 'dense';
  units: number;
  useBias?: boolean;
}
export interface BatchNormLayerSpec extends LayerBase {
  kind: 'batchNorm';
  /** Weight of the new batch statistic in the running average (PyTorch convention). */
  momentum?: number;
  epsilon?: number;
}
interface NeuronCommon extends LayerBase {
  kind: 'neuron';
  vThreshold?: number;
  /** Potential after a spike; null = soft reset (subtract vThreshold). */
  vReset?: number | null;
  /** Potential the membrane leaks toward and starts from. Default: vReset (0 for soft reset). */
  vRest?: number;
  /** Treat the spike inside the reset as a constant in the backward pass. */
  detachReset?: boolean;
  surrogate?: SurrogateSpec;
}
export type NeuronLayerSpec = Registered<NeuronKinds, NeuronCommon, 'neuron'>;
interface PoolCommon extends LayerBase {
  kind: 'pool';
  size?: number | [number, number];
  /** Default: size (non-overlapping windows). */
  stride?: number | [number, number];
  padding?: 'same' | 'valid';
}
export type PoolLayerSpec = Registered<PoolKinds, PoolCommon, 'pool'>;
export interface FlattenLayerSpec extends LayerBase {
  kind: 'flatten';
}
export interface DropoutLayerSpec extends LayerBase {
  kind: 'dropout';
  /** Fraction dropped; the mask is drawn once per sample and shared over all T steps. */
  rate?: number;
}
export interface VotingLayerSpec extends LayerBase {
  kind: 'voting';
  /** Number of classes: units are averaged in `groups` consecutive groups of units/groups. */
  groups: number;
}

export type LayerSpec =
  | Conv2dLayerSpec
  | DenseLayerSpec
  | BatchNormLayerSpec
  | NeuronLayerSpec
  | PoolLayerSpec
  | FlattenLayerSpec
  | DropoutLayerSpec
  | VotingLayerSpec;

export type LayerKind = LayerSpec['kind'];

/**
 * A model spec as written in TypeScript: plugin kinds and their options are checked by the compiler
 * once the plugin packages are imported (declaration merging), so `neuron: 'plfi'` or
 * `initTau: 'two'` fail to compile. Specs read from JSON go through `parseSpec()` instead.
 */
export interface ModelSpec {
  /** Where an editor finds the JSON Schema, e.g. "./node_modules/@spikeflow/spec/dist/model-v1.schema.json". */
  $schema?: string;
  format?: ModelFormat;
  name?: string;
  input: InputSpec;
  /** Number of simulation steps T. */
  timeSteps?: number;
  encoder?: EncoderSpec;
  layers: LayerSpec[];
}

/** A layer after validation: every field present, defaults filled in. */
export type NormalizedLayer = { kind: string; name?: string } & Record<string, unknown>;

/** A spec after validation: every field present (defaults filled in), safe to build from. */
export interface NormalizedModelSpec {
  $schema?: string;
  format: ModelFormat;
  name?: string;
  input: InputSpec;
  timeSteps: number;
  encoder: EncoderSpec;
  layers: NormalizedLayer[];
}

declare const validated: unique symbol;
/**
 * A NormalizedModelSpec that came out of validate() or parseSpec(): the only untyped-origin spec
 * build() takes, so a hand-written object cannot bypass the typed ModelSpec.
 */
export type ValidatedModelSpec = NormalizedModelSpec & { readonly [validated]: true };
