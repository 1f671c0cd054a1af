// The README's and the docs Benchmarks page's benchmark tables are renderings of the committed JSON in
// bench-results/: they name the machine, the date and the command, and cannot drift from the JSON.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script, no types
import { blockNames, readRecord, renderBlocks, renderTable, ROOT, TARGETS, provenance } from '../scripts/bench-tables.mjs';
// @ts-expect-error: a plain .mjs module, no types
import { benchCommand, benchOutDir, SAVED_DIR, writeBenchJson } from '@spikeflow/test-support/bench/record.mjs';

const read = (target: string) => readFileSync(join(ROOT, target), 'utf8');
/** Tables rendered from the benches' JSON besides the SpikingJelly comparison and the neuron layer. */
const TABLES_ADDED = ['long-t-memory', 'step-profile', 'wasm-kernels', 'train-demo-browser', 'docs-train-demo-wasm', 'memory', 'memory-bool'];

describe('benchmark tables in the README and docs', () => {
  it('each marked block is the rendering of its bench-results JSON', () => {
    expect(blockNames(read('README.md'))).toEqual(['step-profile', 'backends', 'memory', 'memory-bool']);
    expect(blockNames(read('docs/benchmarks.md'))).toEqual(['backends', 'neuron-layer', 'wasm-kernels', 'train-demo-browser', 'docs-train-demo-wasm']);
    expect(blockNames(read('docs/guides/long-t-memory.md'))).toEqual(['long-t-memory']);
    expect(blockNames(read('packages/backend-wasm/README.md'))).toEqual(['wasm-kernels']);
    for (const target of TARGETS) {
      const text = read(target);
      expect(renderBlocks(text), `${target} is stale: run npm run bench:tables`).toBe(text);
    }
  });

  it('a changed JSON changes the block (so the check above can fail)', () => {
    const text = read('README.md');
    const changed = renderBlocks(text, (name: string) => {
      const r = readRecord(name);
      if (name !== 'backends') return r;
      return { ...r, runs: r.runs.map((run: { best: object | null }) => ({ ...run, best: run.best && { ...run.best, snnImagesPerSecond: 1 } })) };
    });
    expect(changed).not.toBe(text);
  });

  it('every table names the machine, the date and the command', () => {
    for (const name of ['backends', 'neuron-layer', ...TABLES_ADDED]) {
      const r = readRecord(name);
      const table = renderTable(name, r);
      expect(table).toContain(r.machine.cpu);
      expect(table).toContain(r.date.slice(0, 10));
      expect(table).toContain(`\`${r.command}\``);
    }
    expect(() => provenance({ rows: [] })).toThrow(/without machine, date or command/);
  });

  it('each table shows figures of its own JSON', () => {
    const figure = (v: number, d: number) => v.toFixed(d);
    const memory = readRecord('long-t-memory');
    expect(renderTable('long-t-memory', memory)).toContain(`| ${memory.rows[0].T} | off | ${figure(memory.rows[0].peakBytes / 2 ** 20, 2)} |`);
    const profile = readRecord('step-profile');
    expect(renderTable('step-profile', profile)).toContain(`| wall time per step | ${figure(profile.wallMsPerStep, 0)} ms |`);
    const kernels = readRecord('wasm-kernels');
    const k = kernels.kernels[0];
    expect(renderTable('wasm-kernels', kernels)).toContain(`| ${k.kernel} | ${k.case} |`);
    expect(renderTable('wasm-kernels', kernels)).toContain(`| ${figure(kernels.training[0].imagesPerSec, 1)} |`);
    const browser = readRecord('train-demo-browser');
    expect(browser.runs.length).toBeGreaterThan(0);
    for (const run of browser.runs) expect(renderTable('train-demo-browser', browser)).toContain(`| ${run.chosen} | ${run.threads} | ${run.neuronKernel} | ${figure(run.imagesPerSecond, 1)} |`);
    for (const name of ['memory', 'memory-bool']) {
      const memory = readRecord(name);
      const row = memory.rows[0];
      expect(renderTable(name, memory)).toContain(`| ${row.backend} | ${row.workload} | ${row.impl} | ${row.T} | ${figure(row.peakTensorMB, 1)} |`);
      expect(memory.spikesAsBool).toBe(name === 'memory-bool');
    }
    const node = readRecord('docs-train-demo-wasm');
    expect(renderTable('docs-train-demo-wasm', node)).toContain(`| ${figure(node.imagesPerSecond, 1)} |`);
  });

  it('the SpikingJelly row comes from a SpikingJelly run recorded in the JSON', () => {
    const r = readRecord('backends');
    const sj = r.runs.find((run: { framework: string }) => run.framework === 'spikingjelly');
    expect(r.spikingjelly.status).toBe('ran');
    expect(sj?.best?.framework).toBe('spikingjelly');
    expect(sj.best.snnImagesPerSecond).toBeGreaterThan(0);
    expect(sj.best.version).toMatch(/\d/);
    expect(r.ratios.length).toBeGreaterThan(0);
    expect(renderTable('backends', r)).toMatch(/\| SpikingJelly \d[^|]*PyTorch \d/);
  });

  it('the stale figures are gone', () => {
    for (const target of TARGETS) {
      expect(read(target)).not.toMatch(/116 images\/s|\| 116 \||130–190|130-366/);
    }
  });
});

describe('bench records (@spikeflow/test-support/bench/record.mjs)', () => {
  it('go to .tmp or $SPIKEFLOW_BENCH_OUT, and to bench-results/ only with --save', () => {
    const out = mkdtempSync(join(tmpdir(), 'spikeflow-bench-'));
    expect(benchOutDir(['node', 'x.mjs'], { SPIKEFLOW_BENCH_OUT: out })).toBe(out);
    expect(benchOutDir(['node', 'x.mjs'], {})).toBe(join(ROOT, '.tmp', 'bench-results'));
    expect(benchOutDir(['node', 'x.mjs', '--save'], { SPIKEFLOW_BENCH_OUT: out })).toBe(SAVED_DIR);
    expect(benchOutDir(['node', 'x.mjs'], { SPIKEFLOW_BENCH_SAVE: '1' })).toBe(SAVED_DIR);
  });

  it('carry the machine, the date and the command as typed from the repository root', () => {
    const out = mkdtempSync(join(tmpdir(), 'spikeflow-bench-'));
    const argv = ['/usr/bin/node', join(ROOT, 'apps/train/bench/backends.bench.mjs'), '--backends', 'wasm'];
    const env = { SPIKEFLOW_BENCH_OUT: out, PYTHONPATH: '/opt/sj' };
    expect(benchCommand(argv, env)).toBe('PYTHONPATH=/opt/sj node apps/train/bench/backends.bench.mjs --backends wasm');
    const file = writeBenchJson('example', { rows: [1] }, argv, env);
    const r = JSON.parse(readFileSync(file, 'utf8'));
    expect(r).toMatchObject({ command: 'PYTHONPATH=/opt/sj node apps/train/bench/backends.bench.mjs --backends wasm', rows: [1] });
    expect(r.machine.cores).toBeGreaterThan(0);
    expect(Date.parse(r.date)).not.toBeNaN();
  });
});
