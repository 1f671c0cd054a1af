import type * as tf from '@tensorflow/tfjs';
import { sameShape, type LayerKindSpec, type NormalizedLayer } from '@spikeflow/spec';
import { defineLayer, type LayerPlugin } from './layer-plugin.js';
import type { LayerNirCodec } from './layer-nir.js';

/** A merge's summary line: its inputs joined by its operator, e.g. "block + stem". */
export const mergeDetail = (l: NormalizedLayer, op: string) => ((l.inputs as string[] | undefined) ?? []).join(op);

/** A merge layer kind: what the spec checks, and how its inputs combine. */
export interface MergeDefinition extends Pick<LayerKindSpec, 'kind' | 'description'> {
  /** How many inputs it takes (two or more). */
  inputs: { min: number; max?: number };
  /** Default: the inputs' common shape (add, and, iand), refused when they differ. */
  outputShape?: LayerKindSpec['outputShape'];
  /** All inputs at once, in the order the spec names them. */
  merge: (xs: tf.Tensor[]) => tf.Tensor;
  summary: (l: NormalizedLayer) => string;
  /** Spikes in give spikes out (and, iand, concat; not add, whose sums reach 2). */
  passesSpikes: boolean;
  nir?: LayerNirCodec;
}

/** A merge layer: no fields of its own, stateless, it takes all its inputs at once (applyMany). */
export function defineMerge(d: MergeDefinition): LayerPlugin {
  return defineLayer({
    kind: d.kind,
    description: d.description,
    fields: {},
    inputs: d.inputs,
    outputShape: d.outputShape ?? ((shapes, l) => sameShape(d.kind, shapes, l)),
    stateless: true,
    build: () => ({
      ...(d.passesSpikes ? { passesSpikes: true } : {}),
      apply: () => {
        throw new Error(`${d.kind}: takes its inputs through applyMany`);
      },
      applyMany: d.merge,
    }),
    summary: d.summary,
    ...(d.nir ? { nir: d.nir } : {}),
  });
}
