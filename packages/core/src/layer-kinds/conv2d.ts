import * as tf from '@tensorflow/tfjs';
import { checkedOutput, explicitPadding, field, pair, SPEC_LIMITS, tooLarge, windowShape, type LayerSpecBase } from '@spikeflow/spec';
import { defineLayer } from '../layer-plugin.js';
import { conv2dSpikes, saveSpikesAsBoolNow } from '../spike-storage.js';

const size = (s: unknown) => (Array.isArray(s) ? s.join('x') : `${String(s)}x${String(s)}`);

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

export const conv2d = defineLayer({
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
  stateless: true,
  build(c) {
    const [kh, kw] = pair(c.spec.kernelSize);
    const [sh, sw] = pair(c.spec.stride);
    const cin = c.inputShape[2];
    const filters = c.spec.filters as number;
    // PyTorch's default initialisation: U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for kernel and bias.
    const bound = 1 / Math.sqrt(cin * kh * kw);
    const vars = [c.variable('kernel', c.uniform([kh, kw, cin, filters], bound))];
    if (c.spec.useBias) vars.push(c.variable('bias', c.uniform([filters], bound)));
    const zeros = explicitPadding(c.spec.padding);
    const padding = zeros ? 'valid' : (c.spec.padding as 'same' | 'valid');
    return {
      variables: vars,
      apply: (input, ctx) => {
        const kernel = vars[0].variable as tf.Tensor4D;
        // Explicit padding (PyTorch's, NIR's): zeros on both sides, then a 'valid' convolution.
        const x = zeros ? tf.pad(input, [[0, 0], [zeros[0], zeros[0]], [zeros[1], zeros[1]], [0, 0]]) : input;
        const y = ctx.spikingInput && saveSpikesAsBoolNow()
          ? conv2dSpikes(x as tf.Tensor4D, kernel, [sh, sw], padding)
          : tf.conv2d(x as tf.Tensor4D, kernel, [sh, sw], padding);
        return vars[1] ? tf.add(y, vars[1].variable) : y;
      },
    };
  },
  summary: (l) => `${size(l.kernelSize)} kernel, ${l.filters} filters${l.useBias ? ', bias' : ''}`,
  weights([input], out, l) {
    const [kh, kw] = pair(l.kernelSize);
    return kh * kw * input[input.length - 1] * out[out.length - 1];
  },
  nir: {
    export(c) {
      const [x] = c.inputs;
      const [kh, kw] = pair(c.layer.kernelSize);
      const stride = pair(c.layer.stride);
      const bias = c.optionalWeight('bias');
      c.node(c.name, {
        type: 'Conv2d',
        inputShape: [x.shape[0], x.shape[1]],
        weight: c.layout.conv(c.weight('kernel')),
        stride,
        padding: c.layout.padding(x.shape, [kh, kw], stride, c.layer.padding),
        dilation: [1, 1],
        groups: 1,
        bias: bias ? { shape: bias.shape, data: bias.data } : c.layout.filled([c.layer.filters as number], 0),
      });
      c.connect(c.name);
      return { flatFrom: null };
    },
  },
});

declare module '@spikeflow/spec' {
  interface LayerKinds {
    conv2d: Conv2dLayerSpec;
  }
}
