import * as tf from '@tensorflow/tfjs';
import { checkedOutput, describeInputs, showShape, type LayerSpecBase } from '@spikeflow/spec';
import { defineMerge, mergeDetail } from '../define-merge.js';

export interface ConcatLayerSpec extends LayerSpecBase {
  kind: 'concat';
  inputs: readonly string[];
}

/** Joins two or more inputs along the last (channel or feature) axis. */
export const concat = defineMerge({
  kind: 'concat',
  description: 'joins its inputs along the channel (last) axis; their other axes must match',
  inputs: { min: 2 },
  outputShape(inputs, l) {
    const lead = inputs[0].slice(0, -1);
    const fits = inputs.every((s) => s.length === inputs[0].length && s.slice(0, -1).every((d, i) => d === lead[i]));
    if (!fits) return { problem: `concat needs inputs that differ only in the last (channel) axis, got ${describeInputs(inputs, l)}; all but the last axis must be ${showShape(lead)}`, field: 'inputs' };
    return checkedOutput([...lead, inputs.reduce((sum, s) => sum + s[s.length - 1], 0)]);
  },
  merge: (xs) => tf.concat(xs, -1),
  summary: (l) => mergeDetail(l, ', '),
  passesSpikes: true,
  nir: {
    /*
     * NIR has no node that joins signals, but it sums the edges into a node: each input goes through
     * a placement node (Linear, or a 1x1 Conv2d for feature maps) whose weights are 1 from its
     * features to their place in the joined output and 0 elsewhere, into an identity Scale node named
     * like the layer. Exact: each output is one input times 1 plus zeros.
     */
    export(c) {
      const total = c.outputShape[c.outputShape.length - 1];
      const map = c.outputShape.length === 3;
      const written: Record<string, string> = c.layer.inputs ? { spikeflow_inputs: JSON.stringify(c.layer.inputs) } : {};
      c.node(c.name, { type: 'Scale', scale: c.layout.filled(c.layout.shape(c.outputShape), 1), metadata: { spikeflow_layer: 'concat', ...written } });
      let offset = 0;
      c.inputs.forEach((x, k) => {
        const size = x.shape[x.shape.length - 1];
        const kernel = new Float32Array(size * total);
        for (let i = 0; i < size; i++) kernel[i * total + offset + i] = 1;
        const part = `${c.name}.in${k}`;
        c.node(part, map
          ? { type: 'Conv2d', inputShape: [x.shape[0], x.shape[1]], weight: c.layout.conv({ shape: [1, 1, size, total], data: kernel }), stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, bias: c.layout.filled([total], 0) }
          : { type: 'Linear', weight: c.layout.dense({ shape: [size, total], data: kernel }, x.flatFrom) });
        c.edge(x.node, part);
        c.edge(part, c.name);
        offset += size;
      });
      return { flatFrom: null, spikes: c.inputs.every((x) => x.spikes) };
    },
  },
});

declare module '@spikeflow/spec' {
  interface LayerKinds {
    concat: ConcatLayerSpec;
  }
}
