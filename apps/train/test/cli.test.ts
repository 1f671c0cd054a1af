import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, parse, resolvePreset, scheduleOf, UsageError } from '../src/index.js';

const quiet = () => {};

describe('spikeflow CLI flags', () => {
  it('names the flag in every usage error', () => {
    expect(() => parse(['train', '--epocs', '3'])).toThrow(/--epocs: unknown flag or missing value \(did you mean --epochs\?\)/);
    expect(() => resolvePreset({ epochs: 'x' })).toThrow(UsageError);
    expect(() => resolvePreset({ epochs: 'x' })).toThrow('--epochs: expected an integer >= 1, got "x"');
    expect(() => resolvePreset({ lr: '-1' })).toThrow('--lr: expected a number > 0');
    expect(() => resolvePreset({ preset: 'fashion' })).toThrow(/--preset: unknown preset "fashion"; known: mnist, fashion-mnist, /);
    expect(() => resolvePreset({ preset: 'fashion-mnst' })).toThrow(/\(did you mean "fashion-mnist"\?\)/);
  });

  it('rejects --max-minutes out of range', () => {
    expect(parse(['train', '--max-minutes', '-3']).flags['max-minutes']).toBe('-3');
    for (const bad of ['0', '-3', 'abc', '1e9', '']) {
      expect(() => resolvePreset({ 'max-minutes': bad })).toThrow(`--max-minutes: expected a number > 0 and <= 10080, got "${bad}"`);
    }
    expect(resolvePreset({ 'max-minutes': '2.5' }).maxMinutes).toBe(2.5);
  });

  it('applies flags over the preset', () => {
    const p = resolvePreset({ preset: 'fashion-mnist', epochs: '2', 'batch-size': '8', lr: '0.01', 'time-steps': '4' });
    expect(p).toMatchObject({ epochs: 2, batchSize: 8, optimizer: { kind: 'adam', learningRate: 0.01 }, model: { timeSteps: 4 } });
    // The paper's preset is the paper's network.
    expect(p.model.layers.filter((l) => l.kind === 'neuron')).toHaveLength(4);
  });

  it('the cosine schedule spans --epochs unless its length is set', () => {
    // fashion-mnist-small for 3 epochs: lr must stay above 0 in epochs 2 and 3.
    const small = resolvePreset({ preset: 'fashion-mnist-small', epochs: '3' });
    expect(scheduleOf(small)).toEqual({ kind: 'cosine', tMax: 3 });
    expect(scheduleOf(resolvePreset({ preset: 'fashion-mnist' }))).toEqual({ kind: 'cosine', tMax: 64 });
    expect(scheduleOf({ ...small, schedule: { kind: 'cosine', tMax: 64 } })).toEqual({ kind: 'cosine', tMax: 64 });
  });

  it('rejects an unknown backend, command and experiment by name, with the closest', async () => {
    await expect(main(['train', '--backend', 'cuda', '--preset', 'synthetic'], quiet)).rejects.toThrow(/--backend: unknown backend "cuda"; known: auto, cpu, node-gpu, wasm, webgpu/);
    await expect(main(['trian'], quiet)).rejects.toThrow(/unknown command "trian"; known: train, eval, .*\(did you mean "train"\?\)/);
    await expect(main(['experiment', 'plif-vs-lfi'], quiet)).rejects.toThrow(/experiment: unknown experiment "plif-vs-lfi"; known: plif-vs-lif, max-vs-avg, hyperpolarize \(did you mean "plif-vs-lif"\?\)/);
    await expect(main(['experiment', 'max-vs-avg', '--budget-minutes', '0'], quiet)).rejects.toThrow('--budget-minutes: expected a number > 0 and <= 10080, got "0"');
    await expect(main(['experiment'], quiet)).rejects.toThrow(UsageError);
  });

  it('lists presets with the paper accuracy', async () => {
    const lines: string[] = [];
    expect(await main(['presets'], (l) => lines.push(l))).toBe(0);
    const text = lines.join('\n');
    for (const [name, acc] of [['mnist', '99.72%'], ['fashion-mnist', '94.38%'], ['cifar10', '93.50%'], ['n-mnist', '99.61%'], ['cifar10-dvs', '74.80%'], ['dvs128-gesture', '97.57%']]) {
      expect(text).toMatch(new RegExp(`^${name} +${acc.replace('.', '\\.')} `, 'm'));
    }
    expect(text).toMatch(/^fashion-mnist-quick +- /m);
  });
});

describe('--spec FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikeflow-spec-'));
  const write = (name: string, doc: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
    return file;
  };
  const model = {
    input: { shape: [28, 28, 1] },
    timeSteps: 2,
    layers: [
      { kind: 'conv2d', filters: 4, kernelSize: 3, useBias: false },
      { kind: 'batchNorm' },
      { kind: 'neuron', neuron: 'plif' },
      { kind: 'pool', pool: 'max', size: 4 },
      { kind: 'flatten' },
      { kind: 'dense', units: 20, useBias: false },
      { kind: 'neuron', neuron: 'lif', tau: 3 },
      { kind: 'voting', groups: 10 },
    ],
  };

  it('names the file and every JSON path that is wrong, on one line', async () => {
    const bad = write('bad.json', {
      model: { ...model, layers: [...model.layers.slice(0, 2), { kind: 'neuron', neuron: 'plfi' }, ...model.layers.slice(3)] },
      training: { epochs: 0, optimizer: { kind: 'adamw', learningRate: 1e-3 }, dataset: 'fashion' },
    });
    const err = await main(['train', '--spec', bad], quiet).catch((e: Error) => e);
    expect(err).toBeInstanceOf(UsageError);
    const msg = (err as Error).message;
    expect(msg).not.toContain('\n');
    expect(msg).toMatch(new RegExp(`^--spec ${bad}: 4 problems: `));
    expect(msg).toContain('model.layers[2].neuron: unknown neuron "plfi"; known: if, lif, plif, li, cubalif (did you mean "plif"?)');
    expect(msg).toContain('training.epochs: expected an integer >= 1, got 0');
    expect(msg).toContain('training.optimizer.kind: unknown optimizer "adamw"; known: adam, sgd (did you mean "adam"?)');
    expect(msg).toContain('training.dataset: unknown dataset "fashion"');
    await expect(main(['train', '--spec', write('shape.json', { model: { ...model, input: { shape: [32, 32, 3] } } })], quiet)).rejects.toThrow(
      'model.input.shape: the dataset fashion-mnist gives samples of shape [28, 28, 1], the model takes [32, 32, 3]',
    );
    await expect(main(['train', '--spec', write('broken.json', '{"model": ')], quiet)).rejects.toThrow(/--spec .*broken\.json: not valid JSON/);
    await expect(main(['train', '--spec', join(dir, 'missing.json')], quiet)).rejects.toThrow(/--spec .*missing\.json: cannot read the file \(ENOENT\)/);
  });

  it('trains the model of a spec file with its training settings', async () => {
    const file = write('good.json', { model, training: { dataset: 'synthetic', epochs: 1, batchSize: 16, trainLimit: 64, testLimit: 32, optimizer: { kind: 'adam', learningRate: 0.01 } } });
    const out = mkdtempSync(join(tmpdir(), 'spikeflow-specrun-'));
    const lines: string[] = [];
    expect(await main(['train', '--spec', file, '--backend', 'cpu', '--out', out, '--progress', 'none', '--no-report'], (l) => lines.push(l))).toBe(0);
    const text = lines.join('\n');
    expect(text).toContain(`preset fashion-mnist-small + ${file}`);
    expect(text).toMatch(/neuron1 +neuron +\[20\] +0 +lif tau=3/);
    expect(text).toContain('T=2 batch 16 adam lr 0.01');
    const saved = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    expect(saved.layers[6]).toMatchObject({ neuron: 'lif', tau: 3 });
  });
});

describe('spikeflow train / inspect / report', () => {
  it('trains a short synthetic run: metrics.jsonl per epoch, checkpoints, resume, report', async () => {
    const out = mkdtempSync(join(tmpdir(), 'spikeflow-run-'));
    const lines: string[] = [];
    const common = ['--preset', 'synthetic', '--backend', 'cpu', '--time-steps', '2', '--batch-size', '8', '--train-limit', '32', '--test-limit', '16', '--progress', 'lines'];
    expect(await main(['train', ...common, '--epochs', '1', '--out', out], (l) => lines.push(l))).toBe(0);
    const text = lines.join('\n');
    expect(text).toMatch(/epoch 1\/1 {2}loss \d\.\d{4} {2}train acc [\d.]+% {2}test acc [\d.]+% {2}[\d.]+ img\/s {2}[\d.]+ min {2}tau: neuron0 [\d.]+, neuron1/);
    // Plain progress lines (not a TTY): position in the epoch, throughput and the run's ETA.
    expect(text).toMatch(/^ {2}epoch 1\/1 {2}32\/32 \(100%\) {2}[\d.]+ img\/s .* run eta \d+m\d\ds$/m);
    expect(text).toContain('trainable parameters: 63,660; non-trainable: 32');
    const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(metrics).toHaveLength(1);
    expect(metrics[0]).toMatchObject({ epoch: 1, complete: true, samples: 32 });
    expect(Object.keys(metrics[0].tau)).toEqual(['neuron0', 'neuron1', 'neuron2', 'neuron3']);
    expect(Object.keys(metrics[0].firingRate)).toEqual(['neuron0', 'neuron1', 'neuron2', 'neuron3']);
    expect(metrics[0].raster.neuron0.spikes).toHaveLength(2);
    expect(lines.at(-1)).toBe(`report: ${join(out, 'report.html')}`);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    // Self-contained: uPlot inlined, no external script or style.
    expect(html).toContain('https://github.com/leeoniya/uPlot (v1.6.32)');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(run).toMatchObject({ preset: 'synthetic', backend: { name: 'cpu' }, stopReason: 'completed' });

    const resumed: string[] = [];
    expect(await main(['train', ...common, '--epochs', '2', '--resume', join(out, 'last'), '--out', out], (l) => resumed.push(l))).toBe(0);
    expect(resumed.join('\n')).toContain('resumed from');
    expect(resumed.join('\n')).toMatch(/epoch 2\/2/);
    expect(resumed.join('\n')).not.toMatch(/^epoch 1\/2/m);
    const after = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(after.map((m) => m.epoch)).toEqual([1, 2]);

    const inspected: string[] = [];
    await main(['inspect', '--checkpoint', join(out, 'last')], (l) => inspected.push(l));
    const info = JSON.parse(inspected.join('\n'));
    expect(info.epoch).toBe(1);
    expect(info.step).toBe(8);
    expect(info.neurons.neuron0.tau).toBeGreaterThan(1);
    await expect(main(['inspect'], quiet)).rejects.toThrow('--checkpoint: required by "inspect"');

    const reported: string[] = [];
    expect(await main(['report', out], (l) => reported.push(l))).toBe(0);
    expect(reported).toEqual([`report: ${join(out, 'report.html')}`]);
  });

  it('report: an unknown folder suggests the closest run folder', async () => {
    const root = mkdtempSync(join(tmpdir(), 'spikeflow-runs-'));
    const run = join(root, 'quick-run');
    await main(['train', '--preset', 'synthetic', '--backend', 'cpu', '--time-steps', '2', '--batch-size', '8', '--train-limit', '8', '--test-limit', '8', '--epochs', '1', '--out', run, '--progress', 'none', '--no-report'], quiet);
    await expect(main(['report', join(root, 'quick-rnu')], quiet)).rejects.toThrow(`report: "${join(root, 'quick-rnu')}" is not a folder (did you mean "${run}"?)`);
    await expect(main(['report', root], quiet)).rejects.toThrow(`report: "${root}" holds no metrics.jsonl (not a training run's --out folder)`);
    await expect(main(['report'], quiet)).rejects.toThrow(UsageError);
  });
});
