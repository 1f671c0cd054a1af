import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '@spikeflow/core';
import { main } from '../src/index.js';

// The 8 .nir files of the NIR repository's paper/ folder (test/fixtures/paper in @spikeflow/nir).
const paper = join(dirname(createRequire(import.meta.url).resolve('@spikeflow/nir/package.json')), 'test', 'fixtures', 'paper');

/**
 * Each file, the flags its writer's conventions call for (the files hold no dt: NIR's paper
 * simulates the LIF files with dt = 1e-4 s, snnTorch writes the braille network with dt = 1e-4;
 * sinabs' IF is per step, dt = 1; the braille file names say which reset their writer meant), and
 * the layers spikeflow builds.
 */
const FILES: Array<[string, string[], string]> = [
  ['01_lif__debug_spike_representation__two_lif_neurons.nir', ['--dt', '1e-4'], 'dense -> neuron(lif) -> dense -> neuron(lif)'],
  ['01_lif__lif_norse.nir', ['--dt', '1e-4'], 'dense -> neuron(lif)'],
  ['01_lif__lif_rockpool.nir', ['--dt', '1e-4'], 'dense -> neuron(lif)'],
  ['02_cnn__cnn_sinabs.nir', [], 'conv2d -> neuron(if) -> conv2d -> neuron(if) -> pool(avg) -> conv2d -> neuron(if) -> pool(avg) -> flatten -> dense -> neuron(if) -> dense -> neuron(if)'],
  ['03_rnn__braille_noDelay_bias_zero.nir', ['--dt', '1e-4', '--missing-reset', 'zero'], 'dense -> recurrent(cubalif) -> dense -> neuron(cubalif)'],
  ['03_rnn__braille_noDelay_noBias_subtract.nir', ['--dt', '1e-4', '--missing-reset', 'subtract'], 'dense -> recurrent(cubalif) -> dense -> neuron(cubalif)'],
  ['03_rnn__extras__braille_noDelay_bias_zero_subgraph.nir', ['--dt', '1e-4', '--missing-reset', 'zero'], 'dense -> recurrent(cubalif) -> dense -> neuron(cubalif)'],
  ['03_rnn__extras__braille_noDelay_noBias_subtract_subgraph.nir', ['--dt', '1e-4', '--missing-reset', 'subtract'], 'dense -> recurrent(cubalif) -> dense -> neuron(cubalif)'],
];

/** Runs `spikeflow import FILE --out DIR ...`: its exit code and printed lines, or the one-line error the CLI prints. */
async function importFile(file: string, out: string, flags: string[]): Promise<{ code: number; lines: string[]; error?: string }> {
  const lines: string[] = [];
  try {
    return { code: await main(['import', join(paper, file), '--out', out, ...flags], (l) => lines.push(l)), lines };
  } catch (e) {
    return { code: 1, lines, error: (e as Error).message };
  }
}

describe("the NIR paper's files with `spikeflow import`", () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('each file imports, or is refused by one line naming the node and the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikeflow-nir-paper-'));
    for (const [file] of FILES) {
      const r = await importFile(file, join(dir, `plain-${file}`), []);
      if (r.error !== undefined) {
        expect(r.error, file).not.toContain('\n');
        expect(r.error, file).toMatch(/^node "[^"]+": /);
      } else {
        expect(r.code, file).toBe(0);
      }
      console.log(`${file} (no flags): ${r.error ?? r.lines[0]}`);
    }
  });

  for (const [file, flags, layers] of FILES) {
    it(`${file} imports with ${flags.join(' ') || 'no flags'} as ${layers}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'spikeflow-nir-paper-'));
      const r = await importFile(file, join(dir, 'ckpt'), flags);
      expect(r.error, file).toBeUndefined();
      expect(r.code).toBe(0);
      expect(r.lines[0]).toMatch(new RegExp(`: ${layers.replace(/[()]/g, '\\$&')}$`));
      const { network } = await loadCheckpoint(`file://${join(dir, 'ckpt')}`);
      // The saved checkpoint runs: one sample of ones at every step gives finite outputs.
      const x = tf.ones([network.timeSteps, 1, ...network.spec.input.shape]);
      const y = Array.from(await network.forward(x).output.data());
      expect(y.length).toBeGreaterThan(0);
      expect(y.every(Number.isFinite)).toBe(true);
      // The braille subgraph files name their CubaLIF "lif" in the edges and "lif1" as a node: read so, and said.
      if (file.includes('subgraph')) expect(r.lines[1]).toBe('note: subgraph "lif1": its edges name "lif", which is not a node, and never name its node "lif1"; read as "lif1"');
      console.log(r.lines.join('\n'));
      network.dispose();
    });
  }
});
