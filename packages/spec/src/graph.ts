import { suggest, type JsonPath, type SpecIssue } from './errors.js';
import type { NormalizedLayer } from './types.js';

/** How the layers of a spec connect: each layer's name and the indices of the layers it reads. */
export interface LayerGraph {
  /** Every layer's name: its own, or `${kind}${index among its kind}`. */
  names: string[];
  /** Per layer, the indices of its input layers in order; -1 is the model input. */
  inputs: number[][];
}

/** Each layer's name: its `name`, or its kind and its index among the layers of that kind. */
export function layerNames(layers: readonly NormalizedLayer[]): string[] {
  const counts = new Map<string, number>();
  return layers.map((l) => {
    const index = counts.get(l.kind) ?? 0;
    counts.set(l.kind, index + 1);
    return l.name ?? `${l.kind}${index}`;
  });
}

/**
 * Resolves every layer's `inputs` (default: the layer before) and checks the graph: names that
 * exist, earlier layers only (a cycle is only possible inside a recurrent layer), and every
 * layer's output used by some layer, the last one being the network's output.
 */
export function resolveGraph(layers: readonly NormalizedLayer[], issues: SpecIssue[]): LayerGraph {
  const names = layerNames(layers);
  const byName = new Map<string, number>();
  // Explicit names first, so a written name wins over a generated one that happens to be equal.
  layers.forEach((l, i) => l.name !== undefined && !byName.has(l.name) && byName.set(l.name, i));
  names.forEach((n, i) => !byName.has(n) && byName.set(n, i));
  const inputs: number[][] = layers.map((l, i) => {
    const written = l.inputs as string[] | undefined;
    if (written === undefined) return [i - 1];
    return written.map((name, j) => {
      const path: JsonPath = ['layers', i, 'inputs', j];
      const from = byName.get(name);
      if (from === undefined) {
        const close = suggest(name, names);
        issues.push({ path, message: `unknown layer name ${JSON.stringify(name)}${close.length > 0 ? ` (did you mean "${close[0]}"?)` : ''}; layers before this one: ${names.slice(0, i).join(', ') || '(none)'}` });
        return -2;
      }
      return from;
    });
  });
  const bad = issues.length;
  inputs.forEach((from, i) => {
    from.forEach((j, k) => {
      if (j < i) return;
      const path: JsonPath = ['layers', i, 'inputs', k];
      const cycle = findCycle(inputs, i);
      if (cycle) {
        const around = [...cycle, cycle[0]].map((c) => `"${names[c]}"`).join(' -> ');
        issues.push({ path, message: `cycle ${around}: layers may only read earlier layers; feedback over time belongs inside a recurrent layer (kind "recurrent")` });
      } else {
        issues.push({ path, message: `"${names[j]}" is layers[${j}], which comes after this layer: layers run in the order written, so move it before layers[${i}]` });
      }
    });
  });
  if (issues.length === bad) {
    const used = new Set(inputs.flat());
    for (let i = 0; i < layers.length - 1; i++) {
      if (!used.has(i)) {
        issues.push({ path: ['layers', i], message: `the output of "${names[i]}" is used by no layer (only the last layer's output is the network's); name it in a later layer's inputs or remove it` });
      }
    }
  }
  return { names, inputs };
}

/** A cycle through layer `start` following inputs, as layer indices, or undefined. */
function findCycle(inputs: number[][], start: number): number[] | undefined {
  const path: number[] = [];
  const seen = new Set<number>();
  const visit = (i: number): boolean => {
    if (i === start && path.length > 0) return true;
    if (i < 0 || seen.has(i)) return false;
    seen.add(i);
    path.push(i);
    for (const j of inputs[i]) if (visit(j)) return true;
    path.pop();
    return false;
  };
  return visit(start) ? path.reverse() : undefined;
}
