import type { SpikeKernel } from './stages/linear.js';
import type { Value } from './values.js';

/** How a layer runs in the packed engine. */
export type StageMode =
  /** On packed spikes: event-driven accumulation, bitwise pooling, bits out of a neuron. */
  | 'packed'
  /** On real values (the first layer, a layer fed by average pooling...). */
  | 'float'
  /** Nothing to compute (flatten, dropout at inference). */
  | 'view';

/** Counters a stage adds to as it runs (over every sample so far). */
export interface StageCounters {
  /** Accumulations performed (SynOps on spikes; multiply-adds on real values). */
  synOps: number;
  /** Spikes emitted (neuron layers). */
  spikes: number;
  /** Milliseconds spent (when timing is on). */
  ms: number;
}

export interface Stage {
  /** The layer's name and kind in the network. */
  layer: string;
  kind: string;
  mode: StageMode;
  /** Why a layer runs float where a packed form exists (e.g. "its input is not binary: average pooling"). */
  note?: string;
  /** Multiply-adds the float network does for this layer per sample (all steps it runs). */
  denseMacs: number;
  /** Neurons per step (neuron layers), for the firing rate. */
  neurons?: number;
  /** Bytes of this layer's output per sample: as the engine stores it, and as float32 over all T. */
  outputBytes: number;
  floatOutputBytes: number;
  /** Bytes of working buffers besides the output (a neuron layer's state). */
  scratchBytes?: number;
  /** Layers fed by spikes (WebAssembly SIMD): both ways to read them, and the one `run` uses. */
  kernels?: Record<SpikeKernel, (x: Value) => number>;
  kernel?: SpikeKernel;
  /** The output buffer; `run` fills it from the input. */
  output: Value;
  run(input: Value, counters: StageCounters): void;
}
