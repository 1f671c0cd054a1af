// `spikeflow train --checkpoint-every K`: memory-lean BPTT from the command line. The run says it is
// on, trains to the same loss and accuracy as without it (the gradients are bit-identical), and a
// bad value is named.
import { describe, expect, it } from 'vitest';
import { main, UsageError } from '../src/index.js';

const quiet = () => {};
const common = ['--preset', 'synthetic', '--backend', 'cpu', '--time-steps', '6', '--batch-size', '8', '--train-limit', '32', '--test-limit', '16', '--epochs', '1', '--progress', 'none', '--no-report'];

/** The epoch line without its timings (images/s and minutes differ from run to run). */
async function epochLine(extra: string[]): Promise<{ epoch: string; text: string }> {
  const lines: string[] = [];
  expect(await main(['train', ...common, ...extra], (l) => lines.push(l))).toBe(0);
  const epoch = lines.find((l) => l.startsWith('epoch 1/1'));
  expect(epoch, lines.join('\n')).toBeDefined();
  return { epoch: epoch!.replace(/ {2}[\d.]+ img\/s {2}[\d.]+ min/, ''), text: lines.join('\n') };
}

describe('spikeflow train --checkpoint-every', () => {
  it('says so, and trains to the same loss, accuracies and tau as keeping every step', async () => {
    const lean = await epochLine(['--checkpoint-every', '4']);
    expect(lean.text).toContain('memory-lean BPTT: neuron state kept every 4 steps');
    const full = await epochLine([]);
    expect(full.text).not.toContain('memory-lean BPTT');
    expect(lean.epoch).toMatch(/loss \d\.\d{4} {2}train acc/);
    expect(lean.epoch).toBe(full.epoch);
  });

  it('names the flag for a bad value', async () => {
    for (const bad of ['-1', '2.5', 'x']) {
      await expect(main(['train', ...common, '--checkpoint-every', bad], quiet)).rejects.toThrow(UsageError);
      await expect(main(['train', ...common, '--checkpoint-every', bad], quiet)).rejects.toThrow(`--checkpoint-every: expected an integer >= 0, got "${bad}"`);
    }
  });
});
