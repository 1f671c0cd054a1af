import { validate as validateSpec, type NormalizedModelSpec } from '@spikeflow/spec';
import { registry as sharedRegistry, type Registry } from './registry.js';

/** Validates a spec against the registered plugins (names, options, shapes); throws a SpecError. */
export function validate(spec: unknown, registry: Registry = sharedRegistry): NormalizedModelSpec {
  return validateSpec(spec, registry.catalog());
}
