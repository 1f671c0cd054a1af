// Graph specs: layers that name their inputs, merges, and the errors a broken graph gets.
import { describe, expect, it } from 'vitest';
import { resolveGraph, type ModelSpec } from '@spikeflow/spec';
import { check, layerShapes, parseSpec, validate } from './builtin-catalog.js';

const sewBlock: ModelSpec = {
  input: { shape: [8, 8, 1] },
  layers: [
    { kind: 'conv2d', filters: 4, kernelSize: 3, useBias: false },
    { kind: 'neuron', neuron: 'plif', name: 'stem' },
    { kind: 'conv2d', filters: 4, kernelSize: 3, useBias: false },
    { kind: 'neuron', neuron: 'plif', name: 'out' },
    { kind: 'iand', inputs: ['out', 'stem'] },
    { kind: 'flatten' },
    { kind: 'dense', units: 10 },
  ],
};

const messages = (spec: unknown) => check(spec).map((i) => `${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').slice(1)}: ${i.message}`);

describe('graph specs', () => {
  it('default input is the layer before; named inputs resolve to earlier layers', () => {
    const spec = validate(sewBlock);
    expect(spec.layers[4]).toEqual({ kind: 'iand', inputs: ['out', 'stem'] });
    expect(resolveGraph(spec.layers, []).inputs).toEqual([[-1], [0], [1], [2], [3, 1], [4], [5]]);
    expect(layerShapes(spec)[4]).toEqual([8, 8, 4]);
    expect(JSON.parse(JSON.stringify(validate(spec)))).toEqual(spec);
  });

  it('generated names (kind + index) may be named too, and a spec without inputs is unchanged', () => {
    const spec = validate({ input: { shape: [4] }, layers: [{ kind: 'dense', units: 3 }, { kind: 'dense', units: 3 }, { kind: 'add', inputs: ['dense0', 'dense1'] }] });
    expect(resolveGraph(spec.layers, []).inputs[2]).toEqual([0, 1]);
    const plain = validate({ input: { shape: [4] }, layers: [{ kind: 'dense', units: 3 }, { kind: 'flatten' }] });
    expect(plain.layers).toEqual([{ kind: 'dense', units: 3, useBias: true }, { kind: 'flatten' }]);
  });

  it('concat joins the channel axis', () => {
    const spec = validate({ input: { shape: [4, 4, 2] }, layers: [{ kind: 'conv2d', filters: 3, kernelSize: 1, name: 'a' }, { kind: 'conv2d', filters: 5, kernelSize: 1, inputs: ['a'] }, { kind: 'concat', inputs: ['a', 'conv2d1'] }] });
    expect(layerShapes(spec)[2]).toEqual([4, 4, 8]);
  });

  it('rejects unknown names, naming the path and the close name', () => {
    const bad = { ...sewBlock, layers: sewBlock.layers.map((l, i) => (i === 4 ? { kind: 'iand', inputs: ['out', 'stme'] } : l)) };
    expect(messages(bad)).toEqual(['layers[4].inputs[1]: unknown layer name "stme" (did you mean "stem"?); layers before this one: conv2d0, stem, conv2d1, out']);
  });

  it('rejects unused layers (a branch whose output nobody reads)', () => {
    const bad = { input: { shape: [4] }, layers: [{ kind: 'dense', units: 3, name: 'a' }, { kind: 'dense', units: 3, name: 'dead' }, { kind: 'dense', units: 2, inputs: ['a'] }] };
    expect(messages(bad)).toEqual(['layers[1]: the output of "dead" is used by no layer (only the last layer\'s output is the network\'s); name it in a later layer\'s inputs or remove it']);
  });

  it('rejects cycles (only a recurrent layer may feed back) and forward references', () => {
    const cycle = { input: { shape: [4] }, layers: [{ kind: 'dense', units: 4, name: 'a', inputs: ['b'] }, { kind: 'dense', units: 4, name: 'b' }] };
    expect(messages(cycle)).toEqual(['layers[0].inputs[0]: cycle "b" -> "a" -> "b": layers may only read earlier layers; feedback over time belongs inside a recurrent layer (kind "recurrent")']);
    const self = { input: { shape: [4] }, layers: [{ kind: 'dense', units: 4, name: 'a', inputs: ['a'] }] };
    expect(messages(self)[0]).toMatch(/^layers\[0\]\.inputs\[0\]: cycle "a" -> "a"/);
    const ahead = { input: { shape: [4] }, layers: [{ kind: 'dense', units: 4, name: 'a' }, { kind: 'dense', units: 4, name: 'b', inputs: ['c'] }, { kind: 'dense', units: 4, name: 'c', inputs: ['a'] }, { kind: 'add', inputs: ['b', 'c'] }] };
    expect(messages(ahead)).toEqual(['layers[1].inputs[0]: "c" is layers[2], which comes after this layer: layers run in the order written, so move it before layers[1]']);
  });

  it('rejects shape mismatches at a merge and wrong numbers of inputs', () => {
    const mismatch = { input: { shape: [4] }, layers: [{ kind: 'dense', units: 3, name: 'a' }, { kind: 'dense', units: 5, name: 'b', inputs: ['a'] }, { kind: 'add', inputs: ['a', 'b'] }] };
    expect(messages(mismatch)).toEqual(['layers[2].inputs: add needs inputs of one shape, got "a" [3], "b" [5]']);
    const concat = { input: { shape: [4, 4, 1] }, layers: [{ kind: 'conv2d', filters: 2, kernelSize: 3, name: 'a' }, { kind: 'conv2d', filters: 2, kernelSize: 3, padding: 'valid', name: 'b', inputs: ['a'] }, { kind: 'concat', inputs: ['a', 'b'] }] };
    expect(messages(concat)[0]).toMatch(/^layers\[2\]\.inputs: concat needs inputs that differ only in the last \(channel\) axis, got "a" \[4, 4, 2\], "b" \[2, 2, 2\]/);
    expect(messages({ input: { shape: [4] }, layers: [{ kind: 'dense', units: 3 }, { kind: 'add' }] })).toEqual(['layers[1].inputs: missing inputs: an add layer takes 2 or more inputs, named as ["layerA", "layerB"]']);
    expect(messages({ input: { shape: [4] }, layers: [{ kind: 'dense', units: 3, name: 'a' }, { kind: 'iand', inputs: ['a', 'a', 'a'] }] })).toEqual(['layers[1].inputs: an iand layer takes 2 inputs, got 3']);
    expect(messages({ input: { shape: [4] }, layers: [{ kind: 'dense', units: 3, name: 'a' }, { kind: 'dense', units: 3, inputs: ['a', 'a'] }] })).toEqual(['layers[1].inputs: a dense layer takes 1 input, got 2']);
    expect(() => parseSpec({ input: { shape: [4] }, layers: [{ kind: 'dense', units: 3, inputs: 'a' }] })).toThrow(/layers\[0\]\.inputs: expected a list of layer names, got "a"/);
  });

  it('a recurrent layer takes neuron options and a connection; dense feedback needs a flat input', () => {
    const spec = validate({ input: { shape: [6] }, layers: [{ kind: 'recurrent', neuron: 'plif', initTau: 3 }] }, { neurons: { plif: { initTau: { type: 'number', default: 2, description: 'x' } } } });
    expect(spec.layers[0]).toMatchObject({ kind: 'recurrent', neuron: 'plif', initTau: 3, connection: 'dense', useBias: true, vRest: 0 });
    expect(messages({ input: { shape: [2, 2, 1] }, layers: [{ kind: 'recurrent', neuron: 'lif' }] })[0]).toMatch(/^layers\[0\]: a dense recurrent connection expects a flat input \[features\], but the input here is \[2, 2, 1\]/);
    expect(check({ input: { shape: [2, 2, 1] }, layers: [{ kind: 'recurrent', neuron: 'lif', connection: 'elementwise' }] })).toEqual([]);
  });
});
