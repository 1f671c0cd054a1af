import type { LayerSpecBase } from '@spikeflow/spec';
import { defineLayer } from '../layer-plugin.js';
import { reshapeKeepingNothing } from '../spike-storage.js';

export interface FlattenLayerSpec extends LayerSpecBase {
  kind: 'flatten';
}

/** Flattens each sample to [features], in (height, width, channels) order. */

export const flatten = defineLayer({
  kind: 'flatten',
  description: 'flattens each sample to [features]',
  fields: {},
  outputShape: ([input]) => [input.reduce((a, b) => a * b, 1)],
  stateless: true,
  build(c) {
    const features = c.outputShape[0];
    return { passesSpikes: true, apply: (x) => reshapeKeepingNothing(x, [x.shape[0], features]) };
  },
  nir: {
    export(c) {
      const [x] = c.inputs;
      c.node(c.name, { type: 'Flatten', inputType: c.layout.shape(x.shape), startDim: 0, endDim: -1 });
      c.connect(c.name);
      return { flatFrom: x.shape.length === 3 ? [...x.shape] : x.flatFrom, spikes: x.spikes };
    },
  },
});

declare module '@spikeflow/spec' {
  interface LayerKinds {
    flatten: FlattenLayerSpec;
  }
}
