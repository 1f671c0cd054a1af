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
export type Registered<R, Base, KeyName extends string> = keyof R extends never
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

/** What every layer may have besides its kind's fields. */
export interface LayerSpecBase {
  /** Optional name; used by monitors, checkpoints and other layers' `inputs`. Default: `${kind}${index}`. */
  name?: string;
  /**
   * The layers (by name) whose outputs this layer takes, in order. Default: the layer before it
   * (the model input for the first layer). Merge layers (add, concat, and, iand) take two or more.
   */
  inputs?: readonly string[];
}

/**
 * Registers layer kinds for type checking (declaration merging): the kind's name to its layer type,
 *
 *   declare module '@spikeflow/spec' { interface LayerKinds { gate: LayerSpecBase & { kind: 'gate'; units: number } } }
 *
 * Every built-in kind registers itself here from its own file in @spikeflow/core (src/layer-kinds/).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface LayerKinds {}

export type LayerSpec = LayerKinds[keyof LayerKinds];

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
