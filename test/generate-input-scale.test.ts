// --generate's input scale: a neuron that needs more input than a LIF (here a LIF with a high
// threshold) gets a scale that makes 10-30% of its steps spike, instead of a file of near-silent
// cases; an explicit scale is used as given.
import { describe, expect, it, beforeAll } from 'vitest';
import { generateNeuronVectors, runNeuronCase, TARGET_SPIKE_RATE, type NeuronVectorCase } from '@spikeflow/core/backend';
import { cpu } from './setup.js';

const rate = (c: NeuronVectorCase) => c.spikes.flat().filter((s) => s > 0).length / (c.T * c.N);
const layers = [{ neuron: 'lif', tau: 2, vThreshold: 6, surrogate: { kind: 'atan' } }];

describe('generateNeuronVectors inputScale', () => {
  beforeAll(cpu);

  it('auto (the default) picks a scale that makes 10-30% of the steps spike; the case records it', async () => {
    const silent = (await generateNeuronVectors({ layers, T: 8, N: 32, inputScale: 1 })).cases[0];
    expect(rate(silent)).toBeLessThan(TARGET_SPIKE_RATE[0]);
    const c = (await generateNeuronVectors({ layers, T: 8, N: 32 })).cases[0];
    expect(c.inputScale).toBeGreaterThan(1);
    expect(rate(c)).toBeGreaterThanOrEqual(TARGET_SPIKE_RATE[0]);
    expect(rate(c)).toBeLessThanOrEqual(TARGET_SPIKE_RATE[1]);
    // Still a valid case: the fused kernel agrees with the reference op on it.
    expect((await runNeuronCase(c)).failures).toEqual([]);
  });

  it('keeps scale 1 where it already gives 10-30%, and uses an explicit scale as given', async () => {
    const lif = [{ neuron: 'lif', tau: 2, vThreshold: 0.5, surrogate: { kind: 'atan' } }];
    const one = rate((await generateNeuronVectors({ layers: lif, T: 8, N: 32, inputScale: 1 })).cases[0]);
    expect(one).toBeGreaterThanOrEqual(TARGET_SPIKE_RATE[0]);
    expect(one).toBeLessThanOrEqual(TARGET_SPIKE_RATE[1]);
    expect((await generateNeuronVectors({ layers: lif, T: 8, N: 32 })).cases[0].inputScale).toBe(1);
    const scaled = (await generateNeuronVectors({ layers: lif, T: 8, N: 32, inputScale: 3 })).cases[0];
    expect(scaled.inputScale).toBe(3);
    const xs = scaled.x.flat();
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(-1.5);
    expect(Math.max(...xs)).toBeLessThan(4.5);
    expect(Math.max(...xs)).toBeGreaterThan(1.5);
    await expect(generateNeuronVectors({ layers: lif, inputScale: -1 })).rejects.toThrow("inputScale must be a number > 0 or 'auto', got -1");
  });
});
