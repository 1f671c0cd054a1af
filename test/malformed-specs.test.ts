import { describe, expect, it } from 'vitest';
import { build, parseSpec, SpecError, type ModelSpec } from '@spikeflow/core';
import { formatPath } from '@spikeflow/spec';
import './setup.js';

const good = () => ({
  input: { shape: [28, 28, 1] },
  timeSteps: 8,
  layers: [
    { kind: 'conv2d', filters: 8, kernelSize: 3, useBias: false },
    { kind: 'batchNorm' },
    { kind: 'neuron', neuron: 'plif', initTau: 2, detachReset: true, surrogate: { kind: 'atan', alpha: 2 } },
    { kind: 'pool', pool: 'max', size: 2 },
    { kind: 'flatten' },
    { kind: 'dropout', rate: 0.5 },
    { kind: 'dense', units: 100, useBias: false },
    { kind: 'neuron', neuron: 'plif' },
    { kind: 'voting', groups: 10 },
  ],
});
type Spec = ReturnType<typeof good> & Record<string, unknown>;
const edit = (f: (s: Spec) => void): unknown => {
  const s = good() as Spec;
  f(s);
  return s;
};
const layer = (s: Spec, i: number) => s.layers[i] as Record<string, unknown>;

// [what, spec, expected path, text the message must contain]
const cases: Array<[string, unknown, string, string]> = [
  ['not an object', 42, '(root)', 'expected a model spec object'],
  ['missing input', edit((s) => delete (s as Partial<Spec>).input), 'input', 'missing input'],
  ['input shape not an array', edit((s) => (s.input = { shape: 784 as unknown as number[] })), 'input.shape', 'non-empty array'],
  ['zero input size', edit((s) => (s.input.shape = [28, 0, 1])), 'input.shape[1]', 'positive integer'],
  ['timeSteps zero', edit((s) => (s.timeSteps = 0)), 'timeSteps', 'an integer >= 1'],
  ['timeSteps a string', edit((s) => ((s as Record<string, unknown>).timeSteps = '8')), 'timeSteps', 'got string "8"'],
  ['unknown top-level field', edit((s) => (s.timestep = 4)), 'timestep', 'did you mean "timeSteps"'],
  ['unknown encoder', edit((s) => (s.encoder = { kind: 'poison' })), 'encoder.kind', 'did you mean "poisson"'],
  ['wrong format', edit((s) => (s.format = 'spikeflow.model/v9')), 'format', 'unsupported format'],
  ['empty layers', edit((s) => (s.layers = [])), 'layers', 'non-empty array'],
  ['unknown layer kind', edit((s) => (s.layers[4] = { kind: 'flaten' } as never)), 'layers[4].kind', 'did you mean "flatten"'],
  ['unknown neuron', edit((s) => (layer(s, 2).neuron = 'plfi')), 'layers[2].neuron', 'unknown neuron "plfi"; known: if, lif, plif, li (did you mean "plif"?)'],
  ['unknown surrogate', edit((s) => (layer(s, 2).surrogate = { kind: 'arctan' })), 'layers[2].surrogate.kind', 'unknown surrogate "arctan"'],
  ['surrogate alpha negative', edit((s) => (layer(s, 2).surrogate = { kind: 'atan', alpha: -1 })), 'layers[2].surrogate.alpha', 'a number > 0'],
  ['initTau <= 1', edit((s) => (layer(s, 2).initTau = 1)), 'layers[2].initTau', 'a number > 1'],
  ['LIF tau <= 1', edit((s) => (s.layers[7] = { kind: 'neuron', neuron: 'lif', tau: 0.5 } as never)), 'layers[7].tau', 'a number > 1'],
  ['unknown neuron option', edit((s) => (layer(s, 2).init_tau = 2)), 'layers[2].init_tau', 'did you mean "initTau"'],
  ['vReset above threshold', edit((s) => (layer(s, 2).vReset = 2)), 'layers[2].vReset', 'must be below vThreshold'],
  ['detachReset not boolean', edit((s) => (layer(s, 2).detachReset = 'yes')), 'layers[2].detachReset', 'true or false'],
  ['negative filters', edit((s) => (layer(s, 0).filters = -8)), 'layers[0].filters', 'an integer > 0'],
  ['fractional units', edit((s) => (layer(s, 6).units = 10.5)), 'layers[6].units', 'an integer > 0'],
  ['missing units', edit((s) => delete layer(s, 6).units), 'layers[6].units', 'missing required field'],
  ['bad kernel size', edit((s) => (layer(s, 0).kernelSize = [3, 0])), 'layers[0].kernelSize', 'positive integer or a pair'],
  ['bad padding', edit((s) => (layer(s, 0).padding = 'full')), 'layers[0].padding', '"same", "valid", a non-negative integer or a pair [height, width] of them, got string "full"'],
  ['negative padding', edit((s) => (layer(s, 0).padding = [1, -1])), 'layers[0].padding', 'a non-negative integer or a pair'],
  ['dropout rate 1', edit((s) => (layer(s, 5).rate = 1)), 'layers[5].rate', '< 1'],
  ['unknown pool', edit((s) => (layer(s, 3).pool = 'maxx')), 'layers[3].pool', 'did you mean "max"'],
  ['dense after conv without flatten', edit((s) => s.layers.splice(4, 1)), 'layers[5]', 'add { "kind": "flatten" } before it'],
  ['voting groups do not divide units', edit((s) => (layer(s, 8).groups = 7)), 'layers[8].groups', '7 groups do not divide the 100 units'],
  ['pool window larger than input', edit((s) => (s.input.shape = [1, 1, 1])), 'layers[3]', 'does not fit the input [1, 1, 8]'],
  ['layer not an object', edit((s) => (s.layers[1] = 'batchNorm' as never)), 'layers[1]', 'expected a layer object'],
  ['duplicate layer names', edit((s) => { layer(s, 2).name = 'a'; layer(s, 7).name = 'a'; }), 'layers[7].name', 'duplicate layer name "a"'],
  ['NaN threshold', edit((s) => (layer(s, 2).vThreshold = Number.NaN)), 'layers[2].vThreshold', 'expected a number'],
];

describe('malformed specs give a SpecError naming the JSON path and what was expected', () => {
  it(`covers at least 20 cases (${cases.length})`, () => expect(cases.length).toBeGreaterThanOrEqual(20));
  for (const [what, spec, path, text] of cases) {
    it(what, () => {
      let err: unknown;
      try {
        parseSpec(spec);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SpecError);
      const e = err as SpecError;
      expect(e.issues.map((i) => formatPath(i.path))).toContain(path);
      const issue = e.issues.find((i) => formatPath(i.path) === path)!;
      expect(issue.message).toContain(text);
      expect(e.message).toContain(path);
      // build() reports the same error (never a bare TypeError from deeper down) when a spec
      // bypasses its types (plain JavaScript, a cast).
      expect(() => build(spec as ModelSpec)).toThrow(SpecError);
    });
  }

  it('lists every problem at once', () => {
    const spec = edit((s) => {
      layer(s, 0).filters = 0;
      layer(s, 2).initTau = 0.5;
    });
    const e = (() => { try { parseSpec(spec); } catch (err) { return err as SpecError; } })()!;
    expect(e.issues.map((i) => formatPath(i.path)).sort()).toEqual(['layers[0].filters', 'layers[2].initTau']);
  });

  it('accepts the good spec and fills every default', () => {
    const n = parseSpec(good());
    expect(n.format).toBe('spikeflow.model/v1');
    expect(n.encoder).toEqual({ kind: 'direct' });
    expect(n.layers[2]).toMatchObject({ vThreshold: 1, vReset: 0, vRest: 0, decayInput: true, surrogate: { kind: 'atan', alpha: 2 } });
    expect(n.layers[7]).toMatchObject({ initTau: 2, detachReset: false, surrogate: { kind: 'atan', alpha: 2 } });
    expect(n.layers[3]).toMatchObject({ size: 2, stride: 2, padding: 'valid' });
  });
});

describe('forward with a wrongly shaped input', () => {
  it('names the expected and actual shapes', async () => {
    const { tf } = await import('./setup.js');
    const net = build({ input: { shape: [4, 4, 1] }, timeSteps: 2, layers: [{ kind: 'flatten' }, { kind: 'dense', units: 2 }, { kind: 'neuron', neuron: 'if' }] });
    const x = tf.zeros([4, 4, 1]);
    expect(() => net.forward(x)).toThrow(/expected shape \[N, 4, 4, 1\], got \[4, 4, 1\]/);
    const x2 = tf.zeros([3, 4, 5, 1]);
    expect(() => net.forward(x2)).toThrow(/expected shape \[N, 4, 4, 1\], got \[3, 4, 5, 1\]/);
    tf.dispose([x, x2]);
    net.dispose();
  });
});
