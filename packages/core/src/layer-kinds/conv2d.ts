import * as tf from '@tensorflow/tfjs';
import { conv2dKind, explicitPadding, pair } from '@spikeflow/spec';
import { defineLayer } from '../layer-plugin.js';
import { conv2dSpikes, saveSpikesAsBoolNow } from '../spike-storage.js';

const size = (s: unknown) => (Array.isArray(s) ? s.join('x') : `${String(s)}x${String(s)}`);

export const conv2d = defineLayer({
  ...conv2dKind,
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
