import { parseSpec as parseSpecWith, type ModelSpec, type ValidatedModelSpec } from '@spikeflow/spec';
import { registry as sharedRegistry, type Registry } from './registry.js';

/**
 * Validates a typed spec (or one validated before) against the registered plugins (names, options,
 * shapes); throws a SpecError naming the path of each problem.
 */
export function validate(spec: ModelSpec | ValidatedModelSpec, registry: Registry = sharedRegistry): ValidatedModelSpec {
  return parseSpecWith(spec, registry.catalog());
}

/** The JSON path: a JSON text or a parsed value of unknown shape, checked like validate(). */
export function parseSpec(json: unknown, registry: Registry = sharedRegistry): ValidatedModelSpec {
  return parseSpecWith(json, registry.catalog());
}
