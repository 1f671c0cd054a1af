import type * as tf from '@tensorflow/tfjs';
import type { LayerKindSpec, NormalizedLayer } from '@spikeflow/spec';
import { defineLayer, type LayerPlugin } from '../layer-plugin.js';

/** A merge's summary line: its inputs joined by its operator, e.g. "block + stem". */
export const mergeDetail = (l: NormalizedLayer, op: string) => ((l.inputs as string[] | undefined) ?? []).join(op);

/**
 * A merge layer: stateless, it takes all its inputs at once (applyMany). `passesSpikes`: spikes in
 * give spikes out (and, iand, concat; not add, whose sums reach 2).
 */
export function defineMerge(kind: LayerKindSpec, merge: (xs: tf.Tensor[]) => tf.Tensor, summary: (l: NormalizedLayer) => string, passesSpikes: boolean): LayerPlugin {
  return defineLayer({
    ...kind,
    stateless: true,
    build: () => ({
      ...(passesSpikes ? { passesSpikes } : {}),
      apply: () => {
        throw new Error(`${kind.kind}: takes its inputs through applyMany`);
      },
      applyMany: merge,
    }),
    summary,
  });
}
