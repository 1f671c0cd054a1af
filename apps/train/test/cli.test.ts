import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, parse, resolvePreset, UsageError } from '../src/index.js';

describe('spikeflow CLI flags', () => {
  it('names the flag in every usage error', () => {
    expect(() => parse(['train', '--epocs', '3'])).toThrow(/--epocs: unknown flag/);
    expect(() => resolvePreset({ epochs: 'x' })).toThrow(UsageError);
    expect(() => resolvePreset({ epochs: 'x' })).toThrow('--epochs: expected an integer >= 1, got "x"');
    expect(() => resolvePreset({ lr: '-1' })).toThrow('--lr: expected a number > 0');
    expect(() => resolvePreset({ preset: 'fashion' })).toThrow(/--preset: unknown preset "fashion"; known: fashion-mnist, mnist/);
  });

  it('applies flags over the preset', () => {
    const p = resolvePreset({ preset: 'fashion-mnist', epochs: '2', 'batch-size': '8', lr: '0.01', 'time-steps': '4' });
    expect(p).toMatchObject({ epochs: 2, batchSize: 8, optimizer: { kind: 'adam', learningRate: 0.01 }, model: { timeSteps: 4 } });
    // The paper's preset is the paper's network.
    expect(p.model.layers.filter((l) => l.kind === 'neuron')).toHaveLength(4);
    expect(p.schedule).toEqual({ kind: 'cosine', tMax: 64 });
  });

  it('rejects an unknown backend by name', async () => {
    await expect(main(['train', '--backend', 'cuda', '--preset', 'synthetic'], () => {})).rejects.toThrow(/--backend: unknown backend "cuda"; known: auto, cpu, wasm, webgpu/);
  });
});

describe('spikeflow train / inspect / eval', () => {
  it('trains a short synthetic run, checkpoints, resumes and inspects', async () => {
    const out = mkdtempSync(join(tmpdir(), 'spikeflow-run-'));
    const lines: string[] = [];
    const common = ['--preset', 'synthetic', '--time-steps', '2', '--batch-size', '8', '--train-limit', '32', '--test-limit', '16'];
    expect(await main(['train', ...common, '--epochs', '1', '--out', out], (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toMatch(/epoch 1\/1 {2}loss \d\.\d{4} {2}train acc [\d.]+% {2}test acc [\d.]+% {2}[\d.]+ img\/s {2}tau: neuron0 [\d.]+, neuron1/);
    expect(lines.at(-1)).toMatch(/^final test accuracy [\d.]+%; learned tau per layer: \{"neuron0":/);
    const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(metrics).toHaveLength(1);

    const resumed: string[] = [];
    expect(await main(['train', ...common, '--epochs', '2', '--resume', join(out, 'last'), '--out', out], (l) => resumed.push(l))).toBe(0);
    expect(resumed.join('\n')).toContain('resumed from');
    expect(resumed.join('\n')).toMatch(/epoch 2\/2/);
    expect(resumed.join('\n')).not.toMatch(/epoch 1\/2/);

    const inspected: string[] = [];
    await main(['inspect', '--checkpoint', join(out, 'last')], (l) => inspected.push(l));
    const info = JSON.parse(inspected.join('\n'));
    expect(info.epoch).toBe(1);
    expect(info.step).toBe(8);
    expect(Object.keys(info.neurons)).toEqual(['neuron0', 'neuron1', 'neuron2', 'neuron3']);
    expect(info.neurons.neuron0.tau).toBeGreaterThan(1);
    await expect(main(['inspect'], () => {})).rejects.toThrow('--checkpoint: required by "inspect"');
  });
});
