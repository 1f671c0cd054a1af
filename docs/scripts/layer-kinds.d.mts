import type { LayerPlugin, Registry } from '@spikeflow/core';

export function layerKindsTable(registry?: Registry, filter?: (kind: LayerPlugin) => boolean): string;
export function isMerge(kind: LayerPlugin): boolean;
export function makeLayerKinds(outDir: string, registry?: Registry): string[];
