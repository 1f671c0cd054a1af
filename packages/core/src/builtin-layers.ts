import * as kinds from './layer-kinds/index.js';
import type { LayerPlugin } from './layer-plugin.js';

/**
 * The built-in layer kinds, every LayerPlugin that layer-kinds/index.ts exports, in alphabetical
 * order of kind (the order error messages and docs list them in). Registered in every Registry.
 */
export const builtinLayers: readonly LayerPlugin[] = Object.values(kinds)
  .filter((k): k is LayerPlugin => typeof k === 'object' && k !== null && (k as LayerPlugin).type === 'layer')
  .sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
