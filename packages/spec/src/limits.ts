import type { JsonPath, SpecIssue } from './errors.js';

/**
 * Bounds on what a model spec may be. A real spec is a few levels deep and a few hundred values;
 * these stop hostile or broken files with a SpecError before anything recurses or allocates.
 */
export const SPEC_LIMITS = {
  /** Nesting of objects and arrays (a spec uses about 4: layers[i].surrogate.alpha). */
  maxDepth: 32,
  /** Objects, arrays and scalars in the whole spec. */
  maxValues: 100_000,
  maxLayers: 10_000,
  maxStringLength: 10_000,
  /** Simulation steps T. */
  maxTimeSteps: 100_000,
  /** Elements of any one weight tensor or per-sample activation (2^28 float32 values = 1 GiB). */
  maxTensorElements: 2 ** 28,
} as const;

/** Walks a JSON value without recursion; returns the first limit it breaks, with the path where. */
export function checkSpecSize(spec: unknown): SpecIssue | undefined {
  const stack: Array<{ value: unknown; path: JsonPath }> = [{ value: spec, path: [] }];
  let values = 0;
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (++values > SPEC_LIMITS.maxValues) return { path: [], message: `the spec holds more than ${SPEC_LIMITS.maxValues} values; a model spec is far smaller` };
    if (typeof value === 'string' && value.length > SPEC_LIMITS.maxStringLength) {
      return { path, message: `a string of ${value.length} characters; at most ${SPEC_LIMITS.maxStringLength} are allowed` };
    }
    if (typeof value !== 'object' || value === null) continue;
    if (path.length >= SPEC_LIMITS.maxDepth) return { path, message: `nested more than ${SPEC_LIMITS.maxDepth} levels deep; a model spec is a few levels deep` };
    if (Array.isArray(value)) value.forEach((v, i) => stack.push({ value: v, path: [...path, i] }));
    else for (const [k, v] of Object.entries(value)) stack.push({ value: v, path: [...path, k] });
  }
  return undefined;
}
