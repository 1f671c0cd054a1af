// spikeflow-conformance --plugins @spikeflow/neurons-extra --generate: vectors from the reference
// path for every catalogue neuron and surrogate, which the fused host kernel then passes.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateConformance, runConformance } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'spikeflow-generate-'));
const quiet = { backend: 'cpu', plugins: [], log: () => {} };

describe('--generate', () => {
  it('writes vectors for every neuron and surrogate a module exports, which the fused kernel passes', async () => {
    const out = join(dir, 'extra.json');
    const lines: string[] = [];
    const file = await generateConformance({ out, plugins: ['@spikeflow/neurons-extra'], backend: 'cpu', T: 6, N: 16, log: (l) => lines.push(l) });
    expect(lines.join('\n')).toMatch(/wrote 17 cases/);
    const kinds = new Set(file.cases.map((c) => c.config.neuron));
    expect([...kinds].sort()).toEqual(['alif', 'cubalif', 'eif', 'izhikevich', 'qif']);
    expect(file.cases.filter((c) => c.wState).length).toBe(6);
    const results = await runConformance({ ...quiet, vectors: out });
    expect(results.length).toBe(17);
    expect(results.filter((r) => !r.pass).map((r) => `${r.name}: ${r.failures.join('; ')}`)).toEqual([]);
    expect(results.every((r) => r.ran === 'cpu/fused')).toBe(true);
  });
});
