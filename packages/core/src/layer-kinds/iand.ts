import * as tf from '@tensorflow/tfjs';
import type { LayerSpecBase } from '@spikeflow/spec';
import { defineMerge } from '../define-merge.js';

/**
 * `inputs: [a, b]` gives (NOT a) AND b = (1 - a) * b: the FIRST input is negated. SpikingJelly's SEW
 * BasicBlock computes identity * (1 - out), so there write `inputs: [blockOutput, identity]`.
 */
export interface IandLayerSpec extends LayerSpecBase {
  kind: 'iand';
  inputs: readonly [string, string];
}

/** SEW's IAND connect function: (NOT a) AND b = (1 - a) * b, the first input negated. */
export const iand = defineMerge({
  kind: 'iand',
  description: '(NOT a) AND b = (1 - a) * b for inputs [a, b] of one shape: the first input is negated (SEW IAND)',
  inputs: { min: 2, max: 2 },
  // (NOT a) AND b, with a the first input: (1 - a) * b.
  merge: ([a, b]) => tf.mul(tf.sub(1, a), b),
  summary: (l) => `NOT ${(l.inputs as string[])[0]} AND ${(l.inputs as string[])[1]}`,
  passesSpikes: true,
  nir: {
    // On spikes, (NOT a) AND b is b - a > 1/2: a Scale(-1) node negates a, a Threshold node sums.
    export(c) {
      const [a, b] = c.inputs;
      if (!a.spikes || !b.spikes) throw new Error("SEW's IAND is written to NIR as a threshold on b - a, which equals (1 - a) * b only on binary spikes, and an input here is not spikes");
      const shape = c.layout.shape(c.outputShape);
      const not = `${c.name}.not`;
      c.node(not, { type: 'Scale', scale: c.layout.filled(shape, -1) });
      c.edge(a.node, not);
      c.node(c.name, { type: 'Threshold', threshold: c.layout.filled(shape, 0.5), metadata: { spikeflow_layer: 'iand', spikeflow_inputs: JSON.stringify(c.layer.inputs) } });
      c.edge(not, c.name);
      c.edge(b.node, c.name);
      return { spikes: true };
    },
  },
});

declare module '@spikeflow/spec' {
  interface LayerKinds {
    iand: IandLayerSpec;
  }
}
