import type * as tf from '@tensorflow/tfjs';
import type { LayerKindSpec, NormalizedLayer } from '@spikeflow/spec';
import { defineLayer, type LayerPlugin } from '../layer-plugin.js';
import type { LayerNirCodec } from '../layer-nir.js';

/** A merge's summary line: its inputs joined by its operator, e.g. "block + stem". */
export const mergeDetail = (l: NormalizedLayer, op: string) => ((l.inputs as string[] | undefined) ?? []).join(op);

export interface MergeOptions {
  /** All inputs at once, in the order the spec names them. */
  merge: (xs: tf.Tensor[]) => tf.Tensor;
  summary: (l: NormalizedLayer) => string;
  /** Spikes in give spikes out (and, iand, concat; not add, whose sums reach 2). */
  passesSpikes: boolean;
  nir?: LayerNirCodec;
}

/** A merge layer: stateless, it takes all its inputs at once (applyMany). */
export function defineMerge(kind: LayerKindSpec, o: MergeOptions): LayerPlugin {
  return defineLayer({
    ...kind,
    stateless: true,
    build: () => ({
      ...(o.passesSpikes ? { passesSpikes: true } : {}),
      apply: () => {
        throw new Error(`${kind.kind}: takes its inputs through applyMany`);
      },
      applyMany: o.merge,
    }),
    summary: o.summary,
    ...(o.nir ? { nir: o.nir } : {}),
  });
}
