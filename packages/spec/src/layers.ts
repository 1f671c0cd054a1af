import { field, type OptionSchema } from './fields.js';
import type { LayerKinds } from './types.js';
import { BUILTIN_LAYER_KINDS } from './layers/index.js';

export { pair, windowOutput, explicitPadding } from './layers/shape-helpers.js';

/**
 * Fields of each built-in layer kind, from the kinds themselves (src/layers/). Neuron layers also
 * take the options of their neuron plugin and the surrogate's; pool layers those of their pool plugin.
 */
export const LAYER_FIELDS: Record<string, OptionSchema> = Object.fromEntries(BUILTIN_LAYER_KINDS.map((k) => [k.kind, k.fields]));

/** Every layer kind the type checker knows (built-in and registered through LayerKinds). */
export type BuiltinLayerKind = keyof LayerKinds;
export const LAYER_KINDS = BUILTIN_LAYER_KINDS.map((k) => k.kind) as BuiltinLayerKind[];

/** Fields every layer may have (besides `inputs`, a list of layer names checked with the graph). */
export const COMMON_LAYER_FIELDS: OptionSchema = {
  kind: field.string({ description: 'layer kind' }),
  name: field.string({ optional: true, description: 'name used by monitors, checkpoints and other layers\' inputs' }),
};
