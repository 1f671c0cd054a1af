// The CLI's lists come from the registries: a dataset registered in one file shows up as a
// --dataset choice, a spec file's training.dataset and a preset; --backend follows the providers.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registerBackendProvider, type BackendProvider } from '@spikeflow/core';
import { backendChoices, checkSpecFile, DATASET_INPUT, DATASETS, main, PRESETS, presetTable, resolvePreset, selectBackend, UsageError } from '../src/index.js';
import { stripes } from './fixtures/stripes-dataset.js';

const quiet = () => {};
const capture = async (argv: string[]) => {
  const lines: string[] = [];
  const code = await main(argv, (l) => lines.push(l));
  return { code, text: lines.join('\n') };
};

describe('datasets from the registry', () => {
  it('a dataset registered in one file is a --dataset choice, a spec-file dataset and a preset', async () => {
    expect(DATASETS).toEqual(['fashion-mnist', 'mnist', 'cifar10', 'n-mnist', 'cifar10-dvs', 'dvs128-gesture', 'synthetic', 'stripes']);
    expect(DATASET_INPUT['stripes']).toEqual([6, 6, 1]);
    // Listed by `spikeflow presets`, after the paper's settings and the CLI's own recipes.
    const { text } = await capture(['presets']);
    expect(text).toMatch(/\nstripes +- {2}three generated 6x6 patterns \(a dataset registered from one file\)\n/);
    expect(Object.keys(presetTable()).slice(-2)).toEqual(['synthetic', 'stripes']);
    expect(PRESETS['stripes']).toMatchObject({ dataset: 'stripes', batchSize: 8, model: { name: 'stripes-net' } });
    expect(resolvePreset({ preset: 'stripes', epochs: '2' })).toMatchObject({ dataset: 'stripes', epochs: 2 });
    // A spec file may train on it; the model must take its input shape.
    const model = stripes.preset!.model;
    expect(checkSpecFile({ model, training: { dataset: 'stripes' } }, PRESETS['synthetic']).training).toEqual({ dataset: 'stripes' });
    expect(() => checkSpecFile({ model, training: { dataset: 'mnist' } }, PRESETS['synthetic'])).toThrow('the dataset mnist gives samples of shape [28, 28, 1], the model takes [6, 6, 1]');
  });

  it('trains its preset end to end, and eval takes it as --dataset', async () => {
    const out = mkdtempSync(join(tmpdir(), 'spikeflow-stripes-'));
    const { code, text } = await capture(['train', '--preset', 'stripes', '--backend', 'cpu', '--out', out, '--progress', 'none', '--no-report']);
    expect(code).toBe(0);
    expect(text).toContain('train: synthetic 3-class task (24 samples, seed 7)');
    const evaluated = await capture(['eval', '--checkpoint', join(out, 'last'), '--backend', 'cpu', '--dataset', 'stripes']);
    expect(evaluated.code).toBe(0);
    expect(evaluated.text).toMatch(/^test accuracy \d+\.\d\d% on synthetic 3-class task \(12 samples, seed 1\)\nengine float: [\d.]+ images\/s/);
  }, 120_000);

  it('an unknown dataset name lists the registered ones; inherited names never resolve', async () => {
    const known = 'known: fashion-mnist, mnist, cifar10, n-mnist, cifar10-dvs, dvs128-gesture, synthetic, stripes';
    for (const name of ['stripez', '__proto__', 'toString', 'constructor']) {
      await expect(main(['eval', '--checkpoint', '/nowhere', '--dataset', name], quiet)).rejects.toThrow(`--dataset: unknown dataset "${name}"; ${known}`);
      expect(() => checkSpecFile({ model: stripes.preset!.model, training: { dataset: name } }, PRESETS['synthetic'])).toThrow(`training.dataset: unknown dataset "${name}"; ${known}`);
      expect(DATASET_INPUT[name]).toBeUndefined();
    }
    await expect(main(['eval', '--checkpoint', '/nowhere', '--dataset', 'stripez'], quiet)).rejects.toThrow('(did you mean "stripes"?)');
    for (const name of ['__proto__', 'toString']) {
      expect(() => resolvePreset({ preset: name })).toThrow(UsageError);
      expect(() => resolvePreset({ preset: name })).toThrow(`--preset: unknown preset "${name}"; known: mnist, fashion-mnist, `);
      expect(PRESETS[name]).toBeUndefined();
    }
  });
});

describe('--backend from the providers', () => {
  it('lists auto and every installed or registered provider; a new provider is a choice, in help and selection', async () => {
    expect(backendChoices()).toEqual(['auto', 'cpu', 'node-gpu', 'wasm', 'webgpu']);
    await expect(main(['train', '--backend', 'echo'], quiet)).rejects.toThrow('--backend: unknown backend "echo"; known: auto, cpu, node-gpu, wasm, webgpu');
    const started: string[] = [];
    const echo: BackendProvider = {
      name: 'echo',
      capabilities: { tfjsBackend: 'cpu', runsWhere: 'tests', runtimes: ['node'], training: true, threads: false },
      kernels: () => [],
      probe: async () => [{ label: 'echo', preference: 1, available: true }],
      setup: async () => {
        started.push('echo');
        return { backend: 'echo', tfjsBackend: 'cpu', device: 'the test', threads: 1, execution: 'hardware', fusedKernels: [] };
      },
    };
    registerBackendProvider(echo);
    expect(backendChoices()).toEqual(['auto', 'cpu', 'echo', 'node-gpu', 'wasm', 'webgpu']);
    const { text } = await capture(['train', '--help']);
    expect(text).toContain('[--backend auto|cpu|echo|node-gpu|wasm|webgpu]');
    const selected = await selectBackend('echo');
    expect(started).toEqual(['echo']);
    expect(selected.report).toMatchObject({ backend: 'echo', device: 'the test' });
  });
});
