// Names and numbers in a spec are checked for what they are, not for what JavaScript makes of
// them: "toString" is no neuron (though every object has one) and 1e999 is no learning rate.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, parseSpec, SpecError } from '@spikeflow/core';
import '../setup.js';
import { assertBuilt, runCli, TINY } from './cli-support.js';

/** Names every object inherits from Object.prototype. */
const INHERITED = ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'];

const dense = [{ kind: 'flatten' }, { kind: 'dense', units: 10 }];
const small = (layers: unknown[]) => ({ input: { shape: [4, 4, 1] }, timeSteps: 2, layers });

function specError(spec: unknown): SpecError {
  let err: unknown;
  try {
    parseSpec(spec);
  } catch (e) {
    err = e;
  }
  expect(err, `no SpecError for ${JSON.stringify(spec)}`).toBeInstanceOf(SpecError);
  return err as SpecError;
}

/** A --spec file: the synthetic preset's input with the given model layers and training settings. */
function specFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'spikeflow-spec-')), 'spec.json');
  writeFileSync(file, text);
  return file;
}
const cliModel = { input: { shape: [28, 28, 1] }, timeSteps: 1, layers: [{ kind: 'flatten' }, { kind: 'dense', units: 10 }, { kind: 'neuron', neuron: 'plif' }] };

describe('inherited object keys are no plugin names', () => {
  it.each(INHERITED)('neuron, surrogate and pool "%s" are refused at validation, with the path and the known names', (name) => {
    const neuron = specError(small([...dense, { kind: 'neuron', neuron: name }]));
    expect(neuron.path).toEqual(['layers', 2, 'neuron']);
    expect(neuron.message).toMatch(new RegExp(`^layers\\[2\\]\\.neuron: unknown neuron "${name}"; known: .*\\bplif\\b`));

    const surrogate = specError(small([...dense, { kind: 'neuron', neuron: 'plif', surrogate: { kind: name } }]));
    expect(surrogate.path).toEqual(['layers', 2, 'surrogate', 'kind']);
    expect(surrogate.message).toMatch(/unknown surrogate .*; known: .*\batan\b/);

    const pool = specError({ input: { shape: [4, 4, 1] }, timeSteps: 2, layers: [{ kind: 'pool', pool: name }, ...dense] });
    expect(pool.path).toEqual(['layers', 0, 'pool']);
    expect(pool.message).toMatch(/unknown pool .*; known: .*\bmax\b/);
  });

  it.each(INHERITED)('layer kind and encoder "%s" are refused with the path', (name) => {
    expect(specError(small([{ kind: name }, ...dense])).path).toEqual(['layers', 0, 'kind']);
    expect(specError({ ...small(dense), encoder: { kind: name } }).path).toEqual(['encoder', 'kind']);
  });

  it('a JSON spec with "__proto__" as the neuron is refused (JSON.parse makes it a plain string value)', () => {
    const e = specError(JSON.parse('{"input":{"shape":[4,4,1]},"layers":[{"kind":"flatten"},{"kind":"dense","units":10},{"kind":"neuron","neuron":"__proto__"}]}'));
    expect(e.message).toMatch(/^layers\[2\]\.neuron: unknown neuron "__proto__"/);
  });

  it('valid names still build', () => {
    build(small([...dense, { kind: 'neuron', neuron: 'plif', surrogate: { kind: 'atan' } }]) as never).dispose();
  });
});

describe('spikeflow train --spec: names and numbers', () => {
  beforeAll(assertBuilt);

  it('a learningRate of 1e999 (JSON Infinity) exits 2 naming the JSON path, before any training', async () => {
    const file = specFile(`{"model": ${JSON.stringify(cliModel)}, "training": {"dataset": "synthetic", "optimizer": {"kind": "adam", "learningRate": 1e999}}}`);
    const r = await runCli(['train', ...TINY, '--spec', file, '--epochs', '1']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`--spec ${file}: training.optimizer.learningRate: expected a finite number > 0, got Infinity`);
  });

  it('maxMinutes and schedule.tMax of 1e999 are refused the same way', async () => {
    const file = specFile(`{"model": ${JSON.stringify(cliModel)}, "training": {"maxMinutes": 1e999, "schedule": {"kind": "cosine", "tMax": 1e999}}}`);
    const r = await runCli(['train', ...TINY, '--spec', file]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('training.maxMinutes: expected a finite number > 0, got Infinity');
    expect(r.stderr).toContain('training.schedule.tMax: expected a finite number > 0, got Infinity');
  });

  it('a "__proto__" neuron exits 2 naming model.layers[2].neuron and the known neurons', async () => {
    const model = { ...cliModel, layers: [cliModel.layers[0], cliModel.layers[1], { kind: 'neuron', neuron: '__proto__' }] };
    const file = specFile(JSON.stringify({ model, training: { dataset: 'synthetic' } }));
    const r = await runCli(['train', ...TINY, '--spec', file]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/model\.layers\[2\]\.neuron: unknown neuron "__proto__"; known: .*plif/);
  });

  it('--preset toString exits 2 listing the presets', async () => {
    const r = await runCli(['train', '--preset', 'toString', '--epochs', '1']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--preset: unknown preset "toString"; known: /);
  });
});
