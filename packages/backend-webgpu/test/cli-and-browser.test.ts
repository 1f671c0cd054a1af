// The reference vectors in headless Chromium's WebGPU (the spikeflow-conformance bin with
// --backend webgpu is tested in @spikeflow/conformance). Needs the built packages, which `npm test`
// builds first.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../..', import.meta.url).pathname;
const built = existsSync(join(root, 'packages/backend-webgpu/dist/index.js')) && existsSync(join(root, 'packages/core/dist/node/index.js'));
const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
const vectors = join(root, 'test/fixtures/neuron_vectors.json');

if (!built) console.warn('webgpu browser test skipped: packages are not built (`npm test` builds them first; CI runs it that way)');

const haveChromium = existsSync(chromium);
if (!haveChromium) console.warn(`browser WebGPU test skipped: no Chromium at ${chromium} (CI installs Debian's chromium; set CHROMIUM=PATH elsewhere)`);

describe.skipIf(!built || !haveChromium)('in headless Chromium (WebGPU)', () => {
  it('passes every reference case through the fused kernels in the browser', () => {
    const r = spawnSync(process.execPath, [join(root, 'packages/backend-webgpu/scripts/browser-conformance.mjs'), '--vectors', vectors, '--chromium', chromium], { encoding: 'utf8', timeout: 180_000 });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout.match(/^PASS .*\[webgpu\/fused\]$/gm)).toHaveLength(5);
    expect(r.stdout).toContain('5 passed, 0 failed');
  });
});
