import { describe, expect, it } from 'vitest';
import { MODEL_FORMAT, SpecError, type ModelSpec } from '@spikeflow/spec';
import { check, layerShapes, modelJsonSchema, parseSpec, validate } from './builtin-catalog.js';

const paper: ModelSpec = {
  format: MODEL_FORMAT,
  name: 'plif-fashion-mnist',
  input: { shape: [28, 28, 1] },
  timeSteps: 8,
  encoder: { kind: 'direct' },
  layers: [
    { kind: 'conv2d', filters: 128, kernelSize: 3, padding: 'same', useBias: false },
    { kind: 'batchNorm' },
    { kind: 'neuron', neuron: 'plif', initTau: 2, detachReset: true, surrogate: { kind: 'atan', alpha: 2 } },
    { kind: 'pool', pool: 'max', size: 2, stride: 2 },
    { kind: 'conv2d', filters: 128, kernelSize: 3, useBias: false },
    { kind: 'batchNorm' },
    { kind: 'neuron', neuron: 'plif' },
    { kind: 'pool', pool: 'max', size: 2 },
    { kind: 'flatten' },
    { kind: 'dropout', rate: 0.5 },
    { kind: 'dense', units: 2048, useBias: false },
    { kind: 'neuron', neuron: 'plif' },
    { kind: 'dropout' },
    { kind: 'dense', units: 100, useBias: false },
    { kind: 'neuron', neuron: 'plif' },
    { kind: 'voting', groups: 10 },
  ],
};

describe('the built-in layer kinds, without neuron or pool plugins', () => {
  it('fills every default and is idempotent', () => {
    const n = validate(paper);
    expect(n.timeSteps).toBe(8);
    expect(n.layers[1]).toEqual({ kind: 'batchNorm', momentum: 0.1, epsilon: 1e-5 });
    expect(n.layers[6]).toMatchObject({ vThreshold: 1, vReset: 0, vRest: 0, detachReset: false, surrogate: { kind: 'atan' } });
    expect(n.layers[7]).toEqual({ kind: 'pool', pool: 'max', size: 2, stride: 2, padding: 'valid' });
    expect(validate(n)).toEqual(n);
  });

  it('round-trips through JSON exactly', () => {
    const n = validate(paper);
    const text = JSON.stringify(n);
    expect(JSON.parse(text)).toEqual(n);
    expect(JSON.stringify(validate(JSON.parse(text)))).toBe(text);
    expect(validate(JSON.parse(JSON.stringify(paper)))).toEqual(n);
  });

  it('does not modify its input', () => {
    const copy = JSON.parse(JSON.stringify(paper));
    validate(copy);
    expect(copy).toEqual(JSON.parse(JSON.stringify(paper)));
  });

  it('infers the paper network shapes (6272 -> 2048 -> 100 -> 10)', () => {
    const shapes = layerShapes(validate(paper));
    expect(shapes[3]).toEqual([14, 14, 128]);
    expect(shapes[8]).toEqual([6272]);
    expect(shapes[15]).toEqual([10]);
  });

  it('soft reset: vRest defaults to 0', () => {
    const n = validate({ input: { shape: [4] }, layers: [{ kind: 'neuron', neuron: 'lif', vReset: null }] });
    expect(n.layers[0]).toMatchObject({ vReset: null, vRest: 0 });
  });

  it('a hyperpolarising reset keeps vRest separate from vReset', () => {
    const n = validate({ input: { shape: [4] }, layers: [{ kind: 'neuron', neuron: 'lif', vReset: -0.5, vRest: 0 }] });
    expect(n.layers[0]).toMatchObject({ vReset: -0.5, vRest: 0 });
  });

  it('passes unknown plugin kinds and options through when no catalog is given', () => {
    const n = validate({ input: { shape: [4] }, layers: [{ kind: 'neuron', neuron: 'qif', a0: 0.3 }] });
    expect(n.layers[0]).toMatchObject({ neuron: 'qif', a0: 0.3 });
  });

  it('checks plugin kinds and options with a catalog', () => {
    const catalog = { neurons: { qif: { a0: { type: 'number' as const, default: 0.5, description: 'curvature' } } }, surrogates: { atan: {} } };
    expect(validate({ input: { shape: [4] }, layers: [{ kind: 'neuron', neuron: 'qif' }] }, catalog).layers[0]).toMatchObject({ a0: 0.5 });
    const issues = check({ input: { shape: [4] }, layers: [{ kind: 'neuron', neuron: 'qif', a0: 'x' }] }, catalog);
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toEqual(['layers', 0, 'a0']);
  });

  it('throws SpecError (never a TypeError) for any JSON value', () => {
    for (const v of [null, undefined, [], 'spec', 0, true, { layers: null }, { input: null, layers: [null] }, { input: { shape: [[1]] }, layers: [{}] }]) {
      expect(() => parseSpec(v)).toThrow(SpecError);
    }
  });
});

describe('explicit conv2d padding (PyTorch and NIR style)', () => {
  it('takes zeros on both sides, as a number or [height, width], and infers the shape', () => {
    const spec = (padding: unknown) => ({ input: { shape: [9, 10, 2] }, timeSteps: 2, layers: [{ kind: 'conv2d', filters: 3, kernelSize: 5, stride: 2, padding }] }) as ModelSpec;
    expect(layerShapes(validate(spec(1)))).toEqual([[4, 4, 3]]);
    expect(layerShapes(validate(spec([2, 0])))).toEqual([[5, 3, 3]]);
    expect(layerShapes(validate(spec('same')))).toEqual([[5, 5, 3]]);
    expect(() => parseSpec(spec(-1))).toThrow(/^layers\[0\]\.padding: expected "same", "valid", a non-negative integer or a pair \[height, width\] of them, got number -1/);
    expect(() => parseSpec(spec([1, 1.5]))).toThrow(/layers\[0\]\.padding: expected/);
    const conv = (modelJsonSchema() as { properties: { layers: { items: { oneOf: Array<{ properties: Record<string, { const?: string }> }> } } } }).properties.layers.items.oneOf.find((s) => s.properties.kind.const === 'conv2d')!;
    expect(JSON.stringify(conv.properties.padding)).toContain('{"enum":["same","valid"]},{"type":"integer","minimum":0}');
  });
});

describe('JSON Schema', () => {
  it('describes every built-in layer kind and its fields', () => {
    const schema = modelJsonSchema() as { properties: { layers: { items: { oneOf: Array<{ properties: Record<string, { const?: string }> }> } } } };
    const kinds = schema.properties.layers.items.oneOf.map((s) => s.properties.kind.const);
    expect(kinds).toEqual(['add', 'and', 'attention', 'batchNorm', 'concat', 'conv2d', 'dense', 'dropout', 'flatten', 'iand', 'neuron', 'pool', 'recurrent', 'rowSequence', 'voting']);
    const conv = schema.properties.layers.items.oneOf.find((s) => s.properties.kind.const === 'conv2d')!;
    expect(Object.keys(conv.properties)).toEqual(expect.arrayContaining(['filters', 'kernelSize', 'stride', 'padding', 'useBias']));
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });

  it('enumerates plugin kinds from a catalog', () => {
    const s = JSON.stringify(modelJsonSchema({ neurons: { plif: { initTau: { type: 'number', exclusiveMin: 1, default: 2, description: 'x' } } } }));
    expect(s).toContain('"enum":["plif"]');
    expect(s).toContain('"exclusiveMinimum":1');
  });
});
