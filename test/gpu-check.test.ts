// scripts/gpu-check.mjs --smoke: the prepared GPU-machine run, at tiny sizes on whatever adapter is
// here (lavapipe in CI), so that every step of it is exercised. About 90 s of CPU on lavapipe, most
// of it compiling shaders and the paper's Fashion-MNIST network for one step.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = existsSync(join(root, 'packages/backend-webgpu/dist/index.js')) && existsSync(join(root, 'apps/train/dist'));
if (!built) console.warn('\n*** gpu-check smoke test SKIPPED: run `npm run build` first (npm test does) ***\n');

describe.skipIf(!built)('scripts/gpu-check.mjs --smoke', () => {
  it('runs every step at tiny sizes and writes the tables, the JSON and a summary into one folder', () => {
    const out = mkdtempSync(join(tmpdir(), 'gpu-check-'));
    const r = spawnSync(process.execPath, [join(root, 'scripts/gpu-check.mjs'), '--smoke', '--no-build', '--out', out], { encoding: 'utf8', timeout: 540_000 });
    const output = r.stdout + r.stderr;
    if (/no WebGPU adapter|Dawn found no WebGPU adapter/.test(output)) {
      console.warn('\n*** gpu-check smoke test: no WebGPU adapter here; CI installs lavapipe so it runs there ***\n');
      return;
    }
    expect(r.status, output.slice(-3000)).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.steps.map((s: { name: string }) => s.name)).toEqual([
      'adapter', 'layer-table-wg64', 'bench-webgpu', 'bench-neuron-layer', 'bench-conv-filter-grad', 'bench-step-profile', 'csnn-c128', 'train-fashion-mnist',
    ]);
    expect(summary.steps.every((s: { ok: boolean }) => s.ok)).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'environment.json'), 'utf8')).loader.length).toBeGreaterThan(0);
    const layer = JSON.parse(readFileSync(join(out, 'layer-table-wg64', 'webgpu.json'), 'utf8')).neuronLayer;
    expect(layer.map((row: { T: number }) => row.T)).toEqual([8, 32]);
    for (const row of layer) expect(row.speedup).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(out, 'csnn-throughput.json'), 'utf8')).rows[0].imagesPerSec).toBeGreaterThan(0);
    for (const f of ['webgpu.json', 'conv-filter-grad.json', 'webgpu-step-profile.json']) expect(existsSync(join(out, 'bench', f)), f).toBe(true);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('| train-fashion-mnist | ok |');
    expect(output).toMatch(/PLIF layer forward \+ backward, fused vs reference op/);
  }, 600_000);
});
