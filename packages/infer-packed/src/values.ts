// What flows between the stages of a packed network, for one sample.

/** Real values [steps, ...shape]: steps 1 while the input is the same at every step (direct encoding), else T. */
export interface FloatValue {
  kind: 'float';
  steps: number;
  /** Per-step shape: [H, W, C] or [F]. */
  shape: number[];
  data: Float32Array;
}

/**
 * Spikes packed 32 per word along the channel axis: [T, positions, words], bit c % 32 of word
 * c / 32 of a position is channel c. A flat [F] layer is one position of F channels.
 */
export interface SpikeValue {
  kind: 'spikes';
  steps: number;
  shape: number[];
  positions: number;
  channels: number;
  words: number;
  data: Uint32Array;
}

export type Value = FloatValue | SpikeValue;

/** Positions and channels of a per-step shape: [H, W, C] is H*W positions of C channels, [F] one of F. */
export function layout(shape: number[]): { positions: number; channels: number } {
  const channels = shape[shape.length - 1];
  return { positions: shape.reduce((a, b) => a * b, 1) / channels, channels };
}

const wordsFor = (channels: number): number => Math.ceil(channels / 32);

/** Where values get their memory (an Arena, or plain arrays). */
export interface Allocator {
  floats(n: number): Float32Array;
  words(n: number): Uint32Array;
}

const plainArrays: Allocator = { floats: (n) => new Float32Array(n), words: (n) => new Uint32Array(n) };

export function spikeValue(shape: number[], steps: number, memory: Allocator = plainArrays): SpikeValue {
  const { positions, channels } = layout(shape);
  const words = wordsFor(channels);
  return { kind: 'spikes', steps, shape, positions, channels, words, data: memory.words(steps * positions * words) };
}

export function floatValue(shape: number[], steps: number, memory: Allocator = plainArrays): FloatValue {
  return { kind: 'float', steps, shape, data: memory.floats(steps * shape.reduce((a, b) => a * b, 1)) };
}

/** Spike (0 or 1) of flat unit u (position u / channels, channel u % channels) at step t. */
export function spikeAt(s: SpikeValue, t: number, u: number): number {
  const p = Math.floor(u / s.channels);
  const c = u - p * s.channels;
  return (s.data[(t * s.positions + p) * s.words + (c >>> 5)] >>> (c & 31)) & 1;
}
