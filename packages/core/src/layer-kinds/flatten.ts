import { flattenKind } from '@spikeflow/spec';
import { defineLayer } from '../layer-plugin.js';
import { reshapeKeepingNothing } from '../spike-storage.js';

export const flatten = defineLayer({
  ...flattenKind,
  stateless: true,
  build(c) {
    const features = c.outputShape[0];
    return { passesSpikes: true, apply: (x) => reshapeKeepingNothing(x, [x.shape[0], features]) };
  },
});
