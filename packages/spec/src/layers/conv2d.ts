import { field } from '../fields.js';
import { defineLayerKind } from '../layer-kind.js';
import { SPEC_LIMITS } from '../limits.js';
import type { LayerSpecBase } from '../types.js';
import { checkedOutput, pair, tooLarge, windowShape } from './shape-helpers.js';

export interface Conv2dLayerSpec extends LayerSpecBase {
  kind: 'conv2d';
  filters: number;
  kernelSize: number | [number, number];
  stride?: number | [number, number];
  /** 'same' | 'valid', or zeros added on both sides of height and width (a number or [height, width]). */
  padding?: 'same' | 'valid' | number | [number, number];
  useBias?: boolean;
}

/** 2-D convolution over [height, width, channels] (NHWC), PyTorch's initialisation. */
export const conv2dKind = defineLayerKind({
  kind: 'conv2d',
  description: '2-D convolution over [height, width, channels]',
  fields: {
    filters: field.integer({ exclusiveMin: 0, description: 'number of output channels' }),
    kernelSize: field.size({ description: 'kernel height and width' }),
    stride: field.size({ default: 1, description: 'step between windows' }),
    padding: field.padding({ default: 'same', description: "'same' keeps height and width at stride 1; a number or [height, width] adds that many zeros on both sides" }),
    useBias: field.boolean({ default: true, description: 'add a learned bias per channel' }),
  },
  outputShape([input], l) {
    const out = windowShape('conv2d', input, l.kernelSize, l.stride, l.padding, l.filters as number);
    if (!Array.isArray(out)) return out;
    const [kh, kw] = pair(l.kernelSize);
    if (tooLarge(kh * kw * input[2] * (l.filters as number))) return { problem: `a ${kh}x${kw}x${input[2]}x${l.filters} kernel has more than ${SPEC_LIMITS.maxTensorElements} values` };
    return checkedOutput(out);
  },
});

declare module '../types.js' {
  interface LayerKinds {
    conv2d: Conv2dLayerSpec;
  }
}
