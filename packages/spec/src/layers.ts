import { field, type OptionSchema } from './fields.js';

export { pair, windowOutput, explicitPadding } from './layers/shape-helpers.js';

/** Fields every layer may have (besides `inputs`, a list of layer names checked with the graph). */
export const COMMON_LAYER_FIELDS: OptionSchema = {
  kind: field.string({ description: 'layer kind' }),
  name: field.string({ optional: true, description: 'name used by monitors, checkpoints and other layers\' inputs' }),
};
