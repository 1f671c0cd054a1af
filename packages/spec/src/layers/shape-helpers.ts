import { SPEC_LIMITS } from '../limits.js';
import { showShape, type ShapeProblem } from '../layer-kind.js';

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

/** Whether a tensor of that many values exceeds SPEC_LIMITS.maxTensorElements. */
export const tooLarge = (elements: number) => elements > SPEC_LIMITS.maxTensorElements;
export const elements = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Output [h, w, channels] of a window over an image input, or the problem (conv2d, pool). */
export function windowShape(kind: string, input: number[], window: unknown, stride: unknown, padding: unknown, channels: number): number[] | ShapeProblem {
  if (input.length !== 3) return { problem: `${kind} expects an input of shape [height, width, channels], but the input here is ${showShape(input)}` };
  const [kh, kw] = pair(window);
  const [sh, sw] = pair(stride);
  const [ph, pw] = explicitPadding(padding) ?? [padding as string, padding as string];
  const h = windowOutput(input[0], kh, sh, ph);
  const w = windowOutput(input[1], kw, sw, pw);
  if (h <= 0 || w <= 0) return { problem: `window ${kh}x${kw} does not fit the input ${showShape(input)} with padding ${JSON.stringify(padding)}` };
  return [h, w, channels];
}

/** The shape, unless a layer's output per sample is too large to allocate. */
export function checkedOutput(shape: number[]): number[] | ShapeProblem {
  if (tooLarge(elements(shape))) return { problem: `an output of ${showShape(shape)} per sample has more than ${SPEC_LIMITS.maxTensorElements} values` };
  return shape;
}

/** The common shape of a merge's inputs, or the problem naming each input's shape. */
export function sameShape(kind: string, inputs: number[][], layer: Record<string, unknown>): number[] | ShapeProblem {
  const first = inputs[0];
  if (inputs.every((s) => s.length === first.length && s.every((d, i) => d === first[i]))) return first;
  return { problem: `${kind} needs inputs of one shape, got ${describeInputs(inputs, layer)}`, field: 'inputs' };
}

/** "a [8, 8, 4], b [8, 8, 2]": each input with its shape, for merge errors. */
export function describeInputs(inputs: number[][], layer: Record<string, unknown>): string {
  const names = Array.isArray(layer.inputs) ? (layer.inputs as string[]) : [];
  return inputs.map((s, i) => `${names[i] !== undefined ? `"${names[i]}" ` : ''}${showShape(s)}`).join(', ');
}
