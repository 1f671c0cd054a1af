// The scaffold writes a plugin package that builds and passes its own conformance test.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { neuronNames, scaffoldNeuron } from '../src/index.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const built = ['core', 'spec', 'neurons', 'conformance', 'backend-cpu', 'create-neuron'].every((p) => existsSync(join(root, 'packages', p, 'dist', 'index.js')));
const work = mkdtempSync(join(tmpdir(), 'spikeflow-create-'));

describe('names', () => {
  it('derives the kind, export and options type from the package name', () => {
    expect(neuronNames('@me/spikeflow-neuron-adex-lite')).toMatchObject({ folder: 'spikeflow-neuron-adex-lite', kind: 'adex-lite', exportName: 'adexLiteNeuron', optionsType: 'AdexLiteOptions' });
    expect(neuronNames('my-neuron').kind).toBe('my-neuron');
  });
  it('rejects a name npm would not accept', () => {
    expect(() => neuronNames('My Neuron')).toThrow('"My Neuron" is not a valid npm package name');
  });
});

describe('scaffoldNeuron', () => {
  const dir = join(work, 'spikeflow-neuron-adapt');
  it('writes source, test, README and a changeset, and refuses a non-empty folder', () => {
    const r = scaffoldNeuron({ name: 'spikeflow-neuron-adapt', dir });
    expect(r.kind).toBe('adapt');
    for (const f of ['package.json', 'tsconfig.json', 'src/index.ts', 'test/conformance.test.mjs', 'README.md', '.changeset/first-release.md', '.changeset/config.json']) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(readFileSync(join(dir, 'src/index.ts'), 'utf8')).toContain("interface NeuronKinds {\n    'adapt': Partial<AdaptOptions>;");
    expect(readFileSync(join(dir, '.changeset/first-release.md'), 'utf8')).toContain('"spikeflow-neuron-adapt": minor');
    // Its test runs the conformance runner, on spikeflow's cpu kernels at least.
    const dev = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).devDependencies;
    expect(Object.keys(dev)).toEqual(expect.arrayContaining(['@spikeflow/conformance', '@spikeflow/backend-cpu', '@spikeflow/core']));
    expect(() => scaffoldNeuron({ name: 'spikeflow-neuron-adapt', dir })).toThrow('exists and is not empty');
  });
  it.skipIf(!built)('the package builds and its conformance test passes (against this repository\'s packages)', () => {
    // The monorepo's node_modules stands in for `npm install`: @spikeflow/* resolve to the built packages.
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
    expect(tsc.status, tsc.stdout).toBe(0);
    const test = spawnSync(process.execPath, ['--test', 'test/'], { cwd: dir, encoding: 'utf8', timeout: 300_000, env: { ...process.env, SPIKEFLOW_BACKENDS: 'cpu,wasm' } });
    expect(test.status, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toMatch(/# pass 3/);
    expect(test.stdout).toMatch(/# fail 0/);
  }, 600_000);
  it.skipIf(!built)('the bin: npm create @spikeflow/neuron NAME runs it', () => {
    const bin = join(root, 'packages/create-neuron/bin/create-neuron.js');
    const into = join(work, 'cli');
    mkdirSync(into);
    const ok = spawnSync(process.execPath, [bin, '@me/neuron-leaky'], { cwd: into, encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('neuron "leaky"');
    expect(existsSync(join(into, 'neuron-leaky/src/index.ts'))).toBe(true);
    writeFileSync(join(into, 'neuron-leaky/keep'), '');
    const bad = spawnSync(process.execPath, [bin], { cwd: into, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('give exactly one package name');
  });
});
