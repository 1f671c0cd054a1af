// `spikeflow eval --engine packed --threads 2`: the packed engine splits each batch over two
// threads and gives the accuracy of the float forward and of one thread, with the same cost table.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, saveCheckpoint, use, type ModelSpec } from '@spikeflow/core';
import { neurons, surrogates } from '@spikeflow/neurons';
import { pools } from '@spikeflow/pooling';
import { main } from '../src/index.js';

const spec = {
  format: 'spikeflow.model/v1',
  name: 'eval-threads',
  input: { shape: [28, 28, 1] },
  timeSteps: 3,
  encoder: { kind: 'direct' },
  layers: [
    { kind: 'conv2d', filters: 8, kernelSize: 3, useBias: false },
    { kind: 'batchNorm' },
    { kind: 'neuron', neuron: 'plif' },
    { kind: 'pool', pool: 'max', size: 4 },
    { kind: 'flatten' },
    { kind: 'dense', units: 20, useBias: false },
    { kind: 'neuron', neuron: 'plif' },
    { kind: 'voting', groups: 10 },
  ],
} as ModelSpec;

async function run(argv: string[]): Promise<string[]> {
  const lines: string[] = [];
  expect(await main(argv, (l) => lines.push(l))).toBe(0);
  return lines;
}

describe('spikeflow eval --engine packed --threads', () => {
  let dir: string;
  beforeAll(async () => {
    use(neurons, surrogates, pools);
    dir = mkdtempSync(join(tmpdir(), 'spikeflow-eval-threads-'));
    const network = build(spec, { seed: 4 });
    await saveCheckpoint(network, `file://${dir}`);
    network.dispose();
  });

  it('splits each batch over 2 threads with the accuracy and SynOps of 1 thread and of the float forward', async () => {
    const common = ['--checkpoint', dir, '--backend', 'wasm', '--test-limit', '40', '--batch-size', '20'];
    const float = await run(['eval', ...common, '--engine', 'float', '--threads', '2']);
    const one = await run(['eval', ...common, '--engine', 'packed', '--threads', '1']);
    const two = await run(['eval', ...common, '--engine', 'packed', '--threads', '2']);
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
});
