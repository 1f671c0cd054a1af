import { defineLayerKind, type LayerKindSpec, type NormalizedLayer } from '@spikeflow/spec';
import type { LayerBuildContext, LayerRuntime } from './layers.js';
import type { PluginLookup } from './plugins.js';
import type { LayerNirCodec } from './layer-nir.js';

/**
 * A layer kind with how it runs: what the spec checks (fields, inputs, output shape) and what the
 * runtime needs (build, whether it is stateless), its summary line and its weight count. One file
 * per kind; register a plugin's with `use(myLayer)`.
 */
export interface LayerPlugin extends LayerKindSpec {
  readonly type: 'layer';
  /**
   * Its output at step t depends only on its input at step t (conv, dense, pooling, merges): it runs
   * once over [T*N, ...], and once over [N, ...] before the first stateful layer of a direct-encoded
   * network. Stateful layers (neurons, recurrent layers) see [T*N, ...] and carry state over T.
   */
  stateless: boolean;
  /** Makes the layer's variables and its forward function. */
  build(c: LayerBuildContext): LayerRuntime;
  /** Short description of the layer's settings for summary(), e.g. "3x3 kernel, 32 filters". */
  summary?(layer: NormalizedLayer, registry: PluginLookup): string;
  /** Number of weights it allocates, for the memory estimate (default 0). */
  weights?(inputShapes: number[][], outputShape: number[], layer: NormalizedLayer): number;
  /** Its NIR form, for @spikeflow/nir's export; a kind without one is refused there, naming the layer. */
  nir?: LayerNirCodec;
}

/** Defines a layer kind (one file: fields, shapes, build); register it with `use`. */
export function defineLayer(plugin: Omit<LayerPlugin, 'type'>): LayerPlugin {
  if (typeof plugin.build !== 'function') throw new TypeError(`layer kind "${String(plugin.kind)}": build must be a function (context) => { apply, variables }`);
  if (typeof plugin.stateless !== 'boolean') throw new TypeError(`layer kind "${String(plugin.kind)}": say whether it is stateless (true: runs once over all T steps)`);
  return defineLayerKind({ ...plugin, type: 'layer' as const });
}
