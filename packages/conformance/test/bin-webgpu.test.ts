// The conformance runner as users run it: the built bin, --backend webgpu, through the fused kernels.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useBackend } from './catalogue/backends.js';

const bin = fileURLToPath(new URL('../bin/spikeflow-conformance.js', import.meta.url));
const vectors = fileURLToPath(new URL('../../../test/fixtures/neuron_vectors.json', import.meta.url));
const built = ['../dist/index.js', '../../core/dist/node/index.js', '../../backend-webgpu/dist/index.js'].every((f) => existsSync(fileURLToPath(new URL(f, import.meta.url))));
if (!built) console.warn('\n*** spikeflow-conformance --backend webgpu SKIPPED: run `npm run build` first (npm test does) ***\n');
const gpu = built && (await useBackend('webgpu')); // false, with a loud warning, where WebGPU has no adapter

describe.skipIf(!gpu)('spikeflow-conformance --backend webgpu', () => {
  it('passes every reference case through the fused kernels', () => {
    const r = spawnSync(process.execPath, [bin, '--backend', 'webgpu', '--vectors', vectors], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.match(/^PASS .*\[webgpu\/fused\]$/gm)).toHaveLength(5);
    expect(r.stdout).toContain('5 passed, 0 failed');
  });
});
