export * from './types.js';
export { SpecError, formatPath, suggest, unknownNameMessage, type JsonPath, type SpecIssue } from './errors.js';
export { field, checkField, applySchema, type FieldSpec, type OptionSchema, type NumberField, type BooleanField, type StringField, type EnumField, type SizeField, type ObjectField } from './fields.js';
export { LAYER_FIELDS, LAYER_KINDS, type BuiltinLayerKind, pair, windowOutput, explicitPadding } from './layers.js';
export { validate, parseSpec, check, layerShapes, type PluginCatalog } from './validate.js';
export { modelJsonSchema } from './json-schema.js';
export { SPEC_LIMITS, checkSpecSize } from './limits.js';
