import { defineLayerKind, showShape } from '../layer-kind.js';
import type { LayerSpecBase } from '../types.js';

export interface RowSequenceLayerSpec extends LayerSpecBase {
  kind: 'rowSequence';
}

/**
 * Reads an image one row per step (sequential MNIST): at step t its output is row t of its input
 * [height, width, channels], flattened to [width * channels]. T = height reads the whole image; a
 * smaller T the first T rows; a larger T is refused when the network runs.
 */
export const rowSequenceKind = defineLayerKind({
  kind: 'rowSequence',
  description: 'row t of an image at step t (sequential MNIST); timeSteps = image height reads it all',
  fields: {},
  outputShape([input]) {
    if (input.length !== 3) return { problem: `rowSequence expects an image [height, width, channels], but the input here is ${showShape(input)}` };
    return [input[1] * input[2]];
  },
});

declare module '../types.js' {
  interface LayerKinds {
    rowSequence: RowSequenceLayerSpec;
  }
}
