// `spikeflow eval --engine float|packed|auto`: the same accuracy from both engines, the packed
// engine's cost table, and a network the packed engine cannot run: one error naming the layer
// (packed) or the float forward with the reason (auto). `--threads 2`: the packed engine splits each
// batch over two threads and gives the accuracy of the float forward and of one thread, with the
// same cost table.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, saveCheckpoint, use, type ModelSpec } from '@spikeflow/core';
import { neurons, surrogates } from '@spikeflow/neurons';
import { pools } from '@spikeflow/pooling';
import { main } from '../src/index.js';

const base: Omit<ModelSpec, 'layers'> = {
  format: 'spikeflow.model/v1',
  name: 'eval-engines',
  input: { shape: [28, 28, 1] },
  timeSteps: 3,
  encoder: { kind: 'direct' },
};

const plain: ModelSpec['layers'] = [
  { kind: 'conv2d', filters: 6, kernelSize: 3, useBias: false },
  { kind: 'batchNorm' },
  { kind: 'neuron', neuron: 'plif' },
  { kind: 'pool', pool: 'max', size: 4 },
  { kind: 'flatten' },
  { kind: 'dense', units: 20, useBias: false },
  { kind: 'neuron', neuron: 'plif' },
  { kind: 'voting', groups: 10 },
];

/** A residual add: a merge layer, which the packed engine has no form for. */
const residual: ModelSpec['layers'] = [
  { kind: 'conv2d', filters: 4, kernelSize: 3, useBias: false },
  { kind: 'neuron', neuron: 'if', name: 'stem' },
  { kind: 'conv2d', filters: 4, kernelSize: 3, useBias: false },
  { kind: 'neuron', neuron: 'if', name: 'branch' },
  { kind: 'add', name: 'merge', inputs: ['stem', 'branch'] },
  { kind: 'pool', pool: 'max', size: 4 },
  { kind: 'flatten' },
  { kind: 'dense', units: 10, useBias: false },
  { kind: 'neuron', neuron: 'if' },
];

async function checkpoint(layers: ModelSpec['layers']): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'spikeflow-eval-engine-'));
  const network = build({ ...base, layers } as ModelSpec, { seed: 3 });
  await saveCheckpoint(network, `file://${dir}`);
  network.dispose();
  return dir;
}

async function run(argv: string[]): Promise<string[]> {
  const lines: string[] = [];
  expect(await main(argv, (l) => lines.push(l))).toBe(0);
  return lines;
}

describe('spikeflow eval --engine', () => {
  let plainDir: string;
  let residualDir: string;
  beforeAll(async () => {
    use(neurons, surrogates, pools);
    plainDir = await checkpoint(plain);
    residualDir = await checkpoint(residual);
  });

  const common = ['--backend', 'wasm', '--threads', '1', '--test-limit', '48', '--batch-size', '16'];

  it('packed and float give the same accuracy; packed prints images/s and its cost table', async () => {
    const float = await run(['eval', '--checkpoint', plainDir, '--engine', 'float', ...common]);
    const packed = await run(['eval', '--checkpoint', plainDir, '--engine', 'packed', ...common]);
    const accuracy = (lines: string[]) => lines.find((l) => l.startsWith('test accuracy'));
    expect(accuracy(packed)).toMatch(/^test accuracy \d+\.\d\d% on fashion-mnist test \(48 images/);
    expect(accuracy(packed)).toBe(accuracy(float));
    expect(float.join('\n')).toMatch(/engine float: [\d.]+ images\/s \(batch 16, forward only\)/);
    const text = packed.join('\n');
    expect(text).toMatch(/engine packed: [\d.]+ images\/s \(batch 16, forward only\)/);
    expect(text).toMatch(/^layer +kind +runs +SynOps +dense MACs +ratio +firing +output bytes +as float32/m);
    expect(text).toMatch(/^conv2d0 +conv2d +float /m);
    expect(text).toMatch(/^dense0 +dense +packed /m);
    expect(text).toContain('batchNorm0: folded into conv2d0');
  });

  it('--threads 2 splits each batch over 2 threads with the accuracy and SynOps of 1 thread and of the float forward', async () => {
    const shared = ['--checkpoint', plainDir, '--backend', 'wasm', '--test-limit', '40', '--batch-size', '20'];
    const float = await run(['eval', ...shared, '--engine', 'float', '--threads', '2']);
    const one = await run(['eval', ...shared, '--engine', 'packed', '--threads', '1']);
    const two = await run(['eval', ...shared, '--engine', 'packed', '--threads', '2']);
    const accuracy = (lines: string[]) => lines.find((l) => l.startsWith('test accuracy'));
    expect(accuracy(two)).toMatch(/^test accuracy \d+\.\d\d% on fashion-mnist test \(40 images/);
    expect(accuracy(two)).toBe(accuracy(one));
    expect(accuracy(two)).toBe(accuracy(float));
    expect(two.join('\n')).toMatch(/engine packed: [\d.]+ images\/s \(batch 20, forward only, 2 threads\)/);
    // The cost table (SynOps and firing per layer; no timing column) is the same whichever thread ran a sample.
    const table = (lines: string[]) => lines.join('\n').split('\n').filter((l) => /^(conv2d|dense|neuron)\d/.test(l));
    expect(table(two).length).toBeGreaterThan(3);
    expect(table(two)).toEqual(table(one));
  });

  it('--engine packed refuses a network it cannot run, naming the layer and why', async () => {
    await expect(main(['eval', '--checkpoint', residualDir, '--engine', 'packed', ...common], () => {}))
      .rejects.toThrow('packed inference: layer "merge" reads stem and branch; the packed engine runs a plain chain of layers, each reading the one before');
  });

  it('--engine auto falls back to the float forward and prints why', async () => {
    const lines = await run(['eval', '--checkpoint', residualDir, '--engine', 'auto', ...common]);
    expect(lines).toContain('--engine auto: running the float forward: packed inference: layer "merge" reads stem and branch; the packed engine runs a plain chain of layers, each reading the one before');
    expect(lines.join('\n')).toMatch(/engine float: [\d.]+ images\/s/);
  });

  it('--engine names the engines when given another', async () => {
    await expect(main(['eval', '--checkpoint', plainDir, '--engine', 'pack'], () => {})).rejects.toThrow(/--engine: unknown engine "pack"; known: float, packed, auto \(did you mean "packed"\?\)/);
  });
});
