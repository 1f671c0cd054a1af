// build() and validate() take typed specs: with the plugin packages imported, a misspelled kind or a
// value of the wrong type fails `tsc` (npm run typecheck compiles this file, so an @ts-expect-error
// that stops erroring fails the check). JSON goes through parseSpec(). At run time the same specs
// still throw a SpecError, for JavaScript callers.
import { describe, expect, it } from 'vitest';
import { build, parseSpec, SpecError, validate, type ModelSpec } from '@spikeflow/core';
import { cpu } from './setup.js';

const input = { shape: [4] };

describe('typed build() and validate()', () => {
  it('rejects a misspelled neuron kind at compile time and at run time', async () => {
    await cpu();
    // @ts-expect-error: 'plfi' is not a registered neuron kind
    expect(() => build({ input, layers: [{ kind: 'neuron', neuron: 'plfi' }] })).toThrow(/layers\[0\]\.neuron: unknown neuron "plfi".*did you mean "plif"/);
    // @ts-expect-error: same through validate()
    expect(() => validate({ input, layers: [{ kind: 'neuron', neuron: 'plfi' }] })).toThrow(SpecError);
  });

  it('rejects a string where a number belongs', () => {
    // @ts-expect-error: initTau is a number
    expect(() => build({ input, layers: [{ kind: 'neuron', neuron: 'plif', initTau: 'two' }] })).toThrow(/layers\[0\]\.initTau: expected a number/);
    // @ts-expect-error: units is a number
    expect(() => build({ input, layers: [{ kind: 'dense', units: '10' }] })).toThrow(/layers\[0\]\.units: expected/);
    // @ts-expect-error: surrogate alpha is a number
    expect(() => validate({ input, layers: [{ kind: 'neuron', neuron: 'if', surrogate: { kind: 'atan', alpha: '2' } }] })).toThrow(SpecError);
  });

  it('rejects a misspelled layer kind and a misspelled option name', () => {
    // @ts-expect-error: 'desne' is not a layer kind
    expect(() => build({ input, layers: [{ kind: 'desne', units: 2 }] })).toThrow(/layers\[0\]\.kind/);
    // @ts-expect-error: PLIF has no option initTua
    expect(() => build({ input, layers: [{ kind: 'neuron', neuron: 'plif', initTua: 2 }] })).toThrow(/layers\[0\]\.initTua/);
  });

  it('takes JSON only through parseSpec(), never as an unchecked value', () => {
    const text = JSON.stringify({ input, timeSteps: 2, layers: [{ kind: 'dense', units: 2 }, { kind: 'neuron', neuron: 'plif', initTau: 3 }] });
    const fromFile: unknown = JSON.parse(text);
    // @ts-expect-error: an unknown value is not a spec until parseSpec() has checked it
    expect(() => build(fromFile)).not.toThrow();
    const net = build(parseSpec(text));
    expect(net.spec.timeSteps).toBe(2);
    expect(build(parseSpec(fromFile)).spec.layers[1]).toMatchObject({ neuron: 'plif', initTau: 3 });
    expect(() => parseSpec('{ "input": ')).toThrow(/^: not valid JSON|not valid JSON/);
    // A hand-made "normalized" object does not pass as a validated one.
    // @ts-expect-error: only validate()/parseSpec() make a ValidatedModelSpec
    expect(() => build({ format: 'spikeflow.model/v1', timeSteps: 1, encoder: { kind: 'direct' }, input, layers: [{ kind: 'neuron', neuron: 'plfi' }] })).toThrow(SpecError);
  });

  it('accepts the typed literal, a typed variable and a validated spec', () => {
    const spec: ModelSpec = { $schema: '../node_modules/@spikeflow/spec/dist/model-v1.schema.json', input, timeSteps: 2, layers: [{ kind: 'dense', units: 4 }, { kind: 'neuron', neuron: 'lif', tau: 3 }] };
    const validated = validate(spec);
    expect(validated.$schema).toBe(spec.$schema);
    expect(build(validated).spec).toEqual(validated);
    expect(build({ input, layers: [{ kind: 'dense', units: 2 }, { kind: 'neuron', neuron: 'plif', surrogate: { kind: 'sigmoid', alpha: 4 } }] }).spec.layers).toHaveLength(2);
  });
});
