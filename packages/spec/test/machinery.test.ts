// The spec package's machinery on layer kinds defined here: it defines no kind itself (the built-in
// ones live in @spikeflow/core), so every layer kind comes from the catalog.
import { describe, expect, it } from 'vitest';
import {
  check,
  defineLayerKind,
  field,
  layerShapes,
  modelJsonSchema,
  neuronJsonSchema,
  normalizeNeuronOptions,
  parseSpec,
  sameShape,
  showShape,
  SpecError,
  type PluginCatalog,
} from '../src/index.js';

/** A flat layer of `units` outputs. */
const wide = defineLayerKind({
  kind: 'wide',
  description: 'a flat layer of `units` outputs',
  fields: { units: field.integer({ exclusiveMin: 0, description: 'outputs' }), bias: field.boolean({ default: true, description: 'a bias' }) },
  outputShape: ([input], l) => (input.length === 1 ? [l.units as number] : { problem: `wide expects [features], got ${showShape(input)}` }),
});
/** Sums two or more inputs of one shape. */
const sum = defineLayerKind({ kind: 'sum', description: 'sum', fields: {}, inputs: { min: 2 }, outputShape: (shapes, l) => sameShape('sum', shapes, l) });
/** Neuron-like: takes a neuron plugin's options, as core's neuron kind does. */
const cell = defineLayerKind({
  kind: 'cell',
  description: 'neurons of a plugin',
  fields: { neuron: field.string({ description: 'neuron kind' }), vThreshold: field.number({ default: 1, description: 'threshold' }), vReset: field.number({ default: 0, nullable: true, description: 'reset' }), surrogate: { type: 'object', default: { kind: 'atan' }, description: 'surrogate' } },
  outputShape: ([input]) => input,
  normalize: normalizeNeuronOptions,
  jsonSchema: neuronJsonSchema,
});
const catalog: PluginCatalog = { layers: { wide, sum, cell } };
const messages = (spec: unknown, c: PluginCatalog = catalog) => check(spec, c).map((i) => `${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').slice(1)}: ${i.message}`);

describe('layer kinds come from the catalog', () => {
  it('fills defaults from the kind\'s fields, and validating again changes nothing', () => {
    const spec = parseSpec({ input: { shape: [4] }, layers: [{ kind: 'wide', units: 3 }] }, catalog);
    expect(spec.layers).toEqual([{ kind: 'wide', units: 3, bias: true }]);
    expect(parseSpec(spec, catalog)).toEqual(spec);
    expect(layerShapes(spec, catalog)).toEqual([[3]]);
  });

  it('without catalog.layers every kind is unknown, and the error says where kinds come from', () => {
    expect(messages({ input: { shape: [4] }, layers: [{ kind: 'dense', units: 3 }] }, {})).toEqual([
      'layers[0].kind: unknown layer kind "dense": no layer kinds are known here: @spikeflow/spec defines none; validate with @spikeflow/core\'s validate()/parseSpec(), or pass catalog.layers (e.g. registry.catalog())',
    ]);
    expect(() => parseSpec({ input: { shape: [4] }, layers: [{ kind: 'wide', units: 3 }] })).toThrow(/^layers\[0\]\.kind: unknown layer kind "wide": no layer kinds are known here/);
  });

  it('names the close kind and the fields with their paths', () => {
    expect(messages({ input: { shape: [4] }, layers: [{ kind: 'wdie', units: 3 }] })[0]).toMatch(/^layers\[0\]\.kind: .*"wdie".*wide/);
    expect(messages({ input: { shape: [4] }, layers: [{ kind: 'wide', units: 'x' }] })[0]).toMatch(/^layers\[0\]\.units: expected/);
    expect(messages({ input: { shape: [4] }, layers: [{ kind: 'wide', units: 3, unit: 2 }] })[0]).toMatch(/^layers\[0\]\.unit: unknown field/);
    expect(messages({ input: { shape: [2, 2] }, layers: [{ kind: 'wide', units: 3 }] })).toEqual(['layers[0]: wide expects [features], got [2, 2]']);
  });

  it('throws SpecError (never a TypeError) for any JSON value', () => {
    for (const v of [null, undefined, [], 'spec', 0, true, { layers: null }, { input: null, layers: [null] }, { input: { shape: [[1]] }, layers: [{}] }]) {
      expect(() => parseSpec(v, catalog)).toThrow(SpecError);
      expect(() => parseSpec(v)).toThrow(SpecError);
    }
  });

  it('checks plugin options for a kind that takes them, and passes them through without a neuron catalog', () => {
    expect(parseSpec({ input: { shape: [4] }, layers: [{ kind: 'cell', neuron: 'qif', a0: 0.3 }] }, catalog).layers[0]).toMatchObject({ neuron: 'qif', a0: 0.3 });
    const withNeurons = { ...catalog, neurons: { qif: { a0: field.number({ default: 0.5, description: 'curvature' }) } }, surrogates: { atan: {} } };
    expect(parseSpec({ input: { shape: [4] }, layers: [{ kind: 'cell', neuron: 'qif' }] }, withNeurons).layers[0]).toMatchObject({ a0: 0.5 });
    expect(messages({ input: { shape: [4] }, layers: [{ kind: 'cell', neuron: 'qif', a0: 'x' }] }, withNeurons)[0]).toMatch(/^layers\[0\]\.a0: expected a number/);
  });
});

describe('graphs of catalog kinds', () => {
  it('resolves named inputs, and refuses unknown names, cycles, unused layers and merge shape mismatches', () => {
    const ok = parseSpec({ input: { shape: [4] }, layers: [{ kind: 'wide', units: 3, name: 'a' }, { kind: 'wide', units: 3 }, { kind: 'sum', inputs: ['a', 'wide1'] }] }, catalog);
    expect(layerShapes(ok, catalog)[2]).toEqual([3]);
    expect(messages({ input: { shape: [4] }, layers: [{ kind: 'wide', units: 3, name: 'a' }, { kind: 'sum', inputs: ['a', 'b'] }] })[0]).toMatch(/^layers\[1\]\.inputs\[1\]: unknown layer name "b"/);
    expect(messages({ input: { shape: [4] }, layers: [{ kind: 'wide', units: 4, name: 'a', inputs: ['a'] }] })[0]).toMatch(/^layers\[0\]\.inputs\[0\]: cycle "a" -> "a"/);
    expect(messages({ input: { shape: [4] }, layers: [{ kind: 'wide', units: 3, name: 'a' }, { kind: 'wide', units: 3, name: 'dead' }, { kind: 'wide', units: 2, inputs: ['a'] }] })[0]).toMatch(/^layers\[1\]: the output of "dead" is used by no layer/);
    expect(messages({ input: { shape: [4] }, layers: [{ kind: 'wide', units: 3, name: 'a' }, { kind: 'wide', units: 5, name: 'b', inputs: ['a'] }, { kind: 'sum', inputs: ['a', 'b'] }] })).toEqual(['layers[2].inputs: sum needs inputs of one shape, got "a" [3], "b" [5]']);
    expect(messages({ input: { shape: [4] }, layers: [{ kind: 'wide', units: 3 }, { kind: 'sum' }] })).toEqual(['layers[1].inputs: missing inputs: a sum layer takes 2 or more inputs, named as ["layerA", "layerB"]']);
  });
});

describe('modelJsonSchema', () => {
  it('needs the catalog\'s layer kinds, and says so', () => {
    expect(() => modelJsonSchema({})).toThrow(/catalog names no layer kinds.*registry\.catalog\(\) from @spikeflow\/core/);
  });

  it('describes each catalog kind with its fields, merges requiring inputs, and enumerates plugin kinds', () => {
    type Schema = { properties: { layers: { items: { oneOf: Array<{ required: string[]; properties: Record<string, { const?: string; enum?: string[] }> }> } } } };
    const schema = modelJsonSchema({ ...catalog, neurons: { plif: { initTau: field.number({ exclusiveMin: 1, default: 2, description: 'x' }) } } }) as Schema;
    const [w, s, c] = schema.properties.layers.items.oneOf;
    expect([w, s, c].map((k) => k.properties.kind.const)).toEqual(['wide', 'sum', 'cell']);
    expect(Object.keys(w.properties)).toEqual(expect.arrayContaining(['units', 'bias', 'name', 'inputs']));
    expect(s.required).toContain('inputs');
    expect(c.properties.neuron.enum).toEqual(['plif']);
    expect(JSON.stringify(c)).toContain('"exclusiveMinimum":1');
  });
});
