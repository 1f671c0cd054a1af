// The docs' tables of layer kinds, made from the layer registry when the site is built, so a kind
// added to spikeflow (one defineLayer file) appears in them without editing a page.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from '@spikeflow/core';

/** Text safe in a markdown table cell that VitePress also reads as a Vue template. */
const cell = (text) => String(text).replace(/\|/g, '\\|').replace(/\*/g, '\\*').replace(/</g, '&lt;').replace(/\{\{/g, '{ {');

const inputCount = ({ min, max } = { min: 1, max: 1 }) => {
  if (max === min) return min === 1 ? 'one' : `exactly ${min}`;
  return max === undefined ? `${min} or more` : `${min} to ${max}`;
};

/** `units`, `useBias = true`, `stride?`: each field, its default if it has one. */
function fieldList(fields) {
  const names = Object.entries(fields).map(([name, f]) => {
    if (f.default !== undefined) return `\`${name} = ${JSON.stringify(f.default)}\``;
    return f.optional ? `\`${name}?\`` : `\`${name}\``;
  });
  // A field naming a registered plugin (neuron, pool) brings that plugin's options too.
  const plugins = Object.values(fields).map((f) => /a registered (\w+) plugin/.exec(f.description ?? '')?.[1]).filter(Boolean);
  for (const p of plugins) names.push(`the options of its ${p} plugin`);
  return names.length > 0 ? names.join(', ') : '—';
}

/**
 * A markdown table of the registry's layer kinds, in registration order: kind, what it does, how many
 * inputs it takes, whether it is stateless (each step alone: T folded into the batch) or works across
 * steps, and its fields. `filter` picks some (e.g. the merges).
 */
export function layerKindsTable(registry = new Registry(), filter = () => true) {
  const rows = [...registry.layers.values()].filter(filter).map((k) =>
    `| \`${k.kind}\` | ${cell(k.description)} | ${inputCount(k.inputs)} | ${k.stateless ? 'each step alone' : 'across steps'} | ${cell(fieldList(k.fields))} |`);
  return ['| kind | what it does | inputs | over time | fields (= default, ? optional) |', '|---|---|---|---|---|', ...rows, ''].join('\n');
}

/** Layer kinds that take two or more inputs. */
export const isMerge = (k) => (k.inputs?.min ?? 1) > 1;

/** Writes the tables the pages include (`<!--@include: ../generated/layer-kinds.md-->`); returns the kinds listed. */
export function makeLayerKinds(outDir, registry = new Registry()) {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'layer-kinds.md'), layerKindsTable(registry));
  writeFileSync(join(outDir, 'merge-kinds.md'), layerKindsTable(registry, isMerge));
  return [...registry.layers.keys()];
}
