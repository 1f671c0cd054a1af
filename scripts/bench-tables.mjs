#!/usr/bin/env node
// The README's and the docs Benchmarks page's benchmark tables, rendered from the committed JSON in
// bench-results/ (written by the benches with --save). Each table names the machine, the date and the
// command. Between `<!-- bench-results:NAME -->` and `<!-- /bench-results:NAME -->` a file holds the
// rendering of bench-results/NAME.json; this script rewrites those blocks, and test/bench-tables.test.ts
// fails when one differs from its JSON.
// Usage: node scripts/bench-tables.mjs [--check]   (npm run bench:tables)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const RESULTS_DIR = join(ROOT, 'bench-results');
/** The files whose marked blocks are rendered. */
export const TARGETS = ['README.md', 'docs/benchmarks.md'];

const f = (v, d = 1) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '-');

/** "Measured on AMD EPYC (2 cores, 23.5 GiB, Linux ... x64, Node v20.20.2), load 2.1, on 2026-12-03 07:42 UTC with `node ...`." */
export function provenance(record) {
  const m = record.machine;
  if (!m || !record.date || !record.command) throw new Error('bench record without machine, date or command: rerun the bench with --save');
  const when = `${record.date.slice(0, 10)} ${record.date.slice(11, 16)} UTC`;
  return `Measured on ${m.cpu} (${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}), 1-minute load ${f(m.loadAverage?.[0])} at the end, on ${when}, with \`${record.command}\`.`;
}

/** bench-results/backends.json (npm run bench:compare): CSNN training, spikeflow's backends and SpikingJelly. */
function backendsTable(r) {
  const lines = [provenance(r), ''];
  lines.push(`CSNN training step, T = ${r.T}, batch ${r.batch}, best of ${r.rounds} round(s) taken in turns.`, '');
  lines.push('| run | neuron op | threads | SNN images/s | each round | ANN floor images/s | SNN / ANN step | vs SpikingJelly |');
  lines.push('|---|---|---:|---:|---|---:|---:|---:|');
  for (const run of r.runs) {
    const b = run.best;
    if (!b) {
      lines.push(`| ${run.name} | - | - | - | - | - | - | failed: ${run.error} |`);
      continue;
    }
    const name = run.framework === 'spikingjelly' ? `SpikingJelly ${b.version ?? '(version unknown)'}, PyTorch ${b.torch ?? '?'} (CPU)` : run.name;
    const each = run.rounds.map((x) => (x.error ? 'failed' : f(x.snnImagesPerSecond))).join(', ');
    const ratio = r.ratios.find((x) => run.framework === 'spikeflow' && x.backend === run.backend);
    lines.push(`| ${name} | ${b.neuronImpl ?? '-'} | ${b.threads ?? '-'} | ${f(b.snnImagesPerSecond)} | ${each} | ${f(b.annImagesPerSecond)} | ${f(b.ratio, 2)} | ${ratio ? f(ratio.ratio, 2) : '-'} |`);
  }
  if (r.spikingjelly?.status === 'skipped') lines.push('', `SpikingJelly did not run: ${r.spikingjelly.reason}.`);
  if (r.spikingjelly?.status === 'off') lines.push('', 'SpikingJelly was not run (--no-spikingjelly).');
  return lines.join('\n');
}

/** bench-results/neuron-layer.json: one neuron layer, forward + backward, per backend and kernel. */
function neuronLayerTable(r) {
  const [first] = r.rows;
  const lines = [provenance(r), ''];
  lines.push(`One neuron layer, forward + backward over all T, T = ${first?.T}, M = ${first?.M} neurons (median of the repetitions).`, '');
  lines.push('| backend | kernel | threads | neuron | median ms | min ms | process CPU ms |');
  lines.push('|---|---|---:|---|---:|---:|---:|');
  for (const x of r.rows) lines.push(`| ${x.backend} | ${x.kernel} | ${x.threads} | ${x.neuron} | ${f(x.medianMs)} | ${f(x.minMs)} | ${f(x.cpuMsPerRep)} |`);
  return lines.join('\n');
}

/** Each renderable bench JSON and its table. */
export const RENDERERS = { backends: backendsTable, 'neuron-layer': neuronLayerTable };

export function readRecord(name, dir = RESULTS_DIR) {
  const file = join(dir, `${name}.json`);
  if (!existsSync(file)) throw new Error(`${file} is missing: run the bench with --save (see docs/benchmarks.md)`);
  return JSON.parse(readFileSync(file, 'utf8'));
}

export function renderTable(name, record) {
  const render = RENDERERS[name];
  if (!render) throw new Error(`no table for bench-results/${name}.json; known: ${Object.keys(RENDERERS).join(', ')}`);
  return render(record);
}

const BLOCK = /(<!-- bench-results:([\w-]+) -->\n)([\s\S]*?)(<!-- \/bench-results:\2 -->)/g;

/** The names of the blocks in a text, in order. */
export const blockNames = (text) => [...text.matchAll(BLOCK)].map((m) => m[2]);

/** The text with every marked block replaced by the rendering of its JSON (records: name -> record). */
export function renderBlocks(text, records = (name) => readRecord(name)) {
  return text.replace(BLOCK, (_, open, name, _old, close) => `${open}${renderTable(name, records(name))}\n${close}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const target of TARGETS) {
    const path = join(ROOT, target);
    const text = readFileSync(path, 'utf8');
    const next = renderBlocks(text);
    if (next === text) continue;
    if (check) {
      stale++;
      console.error(`${target}: its tables differ from bench-results/ (run npm run bench:tables)`);
    } else {
      writeFileSync(path, next);
      console.log(`${target}: tables rewritten from bench-results/ (${blockNames(text).join(', ')})`);
    }
  }
  process.exit(stale ? 1 : 0);
}
