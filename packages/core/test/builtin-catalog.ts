// @spikeflow/spec's functions with the built-in layer kinds of this package, and no neuron, surrogate
// or pool plugins (their names and options pass through unchecked, as in the spec package alone).
import * as spec from '@spikeflow/spec';
import type { ModelSpec, NormalizedModelSpec, PluginCatalog, ValidatedModelSpec } from '@spikeflow/spec';
import { builtinLayers } from '../src/index.js';

export const builtinCatalog: PluginCatalog = { layers: Object.fromEntries(builtinLayers.map((k) => [k.kind, k])) };
const withKinds = (catalog: PluginCatalog = {}): PluginCatalog => ({ ...builtinCatalog, ...catalog });

export const validate = (s: ModelSpec | ValidatedModelSpec, catalog?: PluginCatalog) => spec.validate(s, withKinds(catalog));
export const parseSpec = (s: unknown, catalog?: PluginCatalog) => spec.parseSpec(s, withKinds(catalog));
export const check = (s: unknown, catalog?: PluginCatalog) => spec.check(s, withKinds(catalog));
export const layerShapes = (s: NormalizedModelSpec, catalog?: PluginCatalog) => spec.layerShapes(s, withKinds(catalog));
export const modelJsonSchema = (catalog?: PluginCatalog): ReturnType<typeof spec.modelJsonSchema> => spec.modelJsonSchema(withKinds(catalog));
