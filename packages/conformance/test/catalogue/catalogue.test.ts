// SpikingJelly's QIF, EIF and Izhikevich vectors through the catalogue plugins, in process and
// through the spikeflow-conformance bin on cpu, wasm and webgpu (the fused kernels).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runNeuronCase, type NeuronVectorFile } from '@spikeflow/core/backend';
import { useBackend } from './backends.js';

const fixture = fileURLToPath(new URL('../../../../test/fixtures/catalogue_vectors.json', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/spikeflow-conformance.js', import.meta.url));
const built = ['../../dist/index.js', '../../../neurons-extra/dist/index.js', '../../../core/dist/node/index.js'].every((f) => existsSync(fileURLToPath(new URL(f, import.meta.url))));
const vectors: NeuronVectorFile = JSON.parse(readFileSync(fixture, 'utf8'));

describe('catalogue_vectors.json in process on cpu', () => {
  beforeAll(() => useBackend('cpu'));
  it('holds QIF, EIF and two Izhikevich cases with wState', () => {
    expect(vectors.cases.map((c) => c.config.neuron)).toEqual(['qif', 'eif', 'izhikevich', 'izhikevich']);
    expect(vectors.cases.filter((c) => c.wState).length).toBe(2);
  });
  for (const c of vectors.cases) for (const impl of ['reference', undefined] as const) {
    it(`${c.name} (${impl ?? 'fused host kernel'}): spikes exact, v, w and dL/dx within 1e-5`, async () => {
      const r = await runNeuronCase(c, undefined, impl);
      expect(r.failures).toEqual([]);
      expect(r.ran).toBe(`cpu/${impl ?? 'fused'}`);
      if (c.wState) expect(r.wState).toBeLessThan(1e-5);
    });
  }
});

if (!built) console.warn('\n*** spikeflow-conformance bin part SKIPPED: run `npm run build` first (npm test does) ***\n');
describe.skipIf(!built)('spikeflow-conformance --plugins @spikeflow/neurons-extra on every backend', () => {
  for (const backend of ['cpu', 'wasm', 'webgpu'] as const) {
    it(`--backend ${backend}: every case passes through the fused kernels`, async () => {
      if (backend === 'webgpu' && !(await useBackend('webgpu'))) return;
      const r = spawnSync(process.execPath, [bin, '--vectors', fixture, '--backend', backend, '--plugins', '@spikeflow/neurons-extra'], { encoding: 'utf8', timeout: 300_000 });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      const lines = r.stdout.split('\n').filter((l) => l.startsWith('PASS'));
      expect(lines.length).toBe(4);
      for (const l of lines) expect(l).toContain(`[${backend}/fused]`);
      expect(r.stdout).toContain('4 passed, 0 failed');
    });
  }
});
