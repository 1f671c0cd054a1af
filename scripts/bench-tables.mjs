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
export const TARGETS = ['README.md', 'docs/benchmarks.md', 'docs/guides/long-t-memory.md', 'packages/backend-wasm/README.md'];

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

const mib = (bytes) => f(bytes / 2 ** 20, 2);
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** bench-results/long-t-memory.json (npm run bench:memory): one training step against T, memory-lean BPTT. */
function longTMemoryTable(r) {
  const lines = [provenance(r), ''];
  lines.push(`One training step on ${r.backend}, batch ${r.batch}, ${r.size}x${r.size} input, 4 PLIF layers (step time: median of ${r.reps}).`);
  const b = r.baseline;
  if (b) lines.push(`"vs before": the tensor peak over that of the step without the option measured on ${b.date.slice(0, 10)} ${b.date.slice(11, 16)} UTC with \`${b.command}\`, before values, kept tensors and gradients were freed early.`);
  lines.push('');
  lines.push("| T | checkpointEvery | tensor peak MiB | vs before | at any allocation MiB | held for backward MiB | first PLIF layer's kept state MiB | max RSS MiB | ms / step |");
  lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const x of r.rows) {
    const k = `${x.checkpointEvery || 'off'}${x.spikesAsBool ? ' + bool spikes' : ''}`;
    const before = b?.rows.find((y) => y.T === x.T);
    const vs = before ? f(x.peakBytes / before.peakBytes, 2) : '-';
    lines.push(`| ${x.T} | ${k} | ${mib(x.peakBytes)} | ${vs} | ${x.allocationPeakBytes === undefined ? '-' : mib(x.allocationPeakBytes)} | ${mib(x.heldForBackwardBytes)} | ${mib(x.neuronStateKeptBytes)} | ${f(x.maxRssBytes / 2 ** 20, 0)} | ${f(x.medianMs, 0)} |`);
  }
  return lines.join('\n');
}

/** bench-results/step-profile.json: where a fashion-mnist-quick training step goes on wasm. */
function stepProfileTable(r) {
  const lines = [provenance(r), ''];
  lines.push(`${r.preset} on ${r.backend}, ${plural(r.threads, 'thread')}, batch ${r.batch}, T = ${r.timeSteps}, ${r.steps} steps timed (1-minute load ${f(r.loadAverageAtStart?.[0])} at the start).`, '');
  const top = r.kernels.slice(0, 5).map((k) => `${k.kernel} ${f(100 * k.share, 0)}%`).join(', ');
  lines.push('| measure | value |', '|---|---:|');
  lines.push(`| wall time per step | ${f(r.wallMsPerStep, 0)} ms |`);
  lines.push(`| CPU time per step (this process) | ${f(r.cpuMsPerStep, 0)} ms |`);
  lines.push(`| training images/s, as measured | ${f(r.imagesPerSecondWall)} |`);
  lines.push(`| evaluation, images per CPU-second | ${f(r.evalImagesPerSecondCpu, 0)} |`);
  lines.push(`| largest kernels of one step (of ${f(r.profiledStepMs)} profiled ms) | ${top} |`);
  return lines.join('\n');
}

/** bench-results/wasm-kernels.json: @spikeflow/backend-wasm's kernels against tfjs's, and training images/s. */
function wasmKernelsTable(r) {
  const ms = (v) => (typeof v === 'number' ? (v < 10 ? v.toFixed(2) : v.toFixed(1)) : 'missing');
  const [first] = r.kernels;
  const lines = [provenance(r), ''];
  lines.push(`Each kernel on the shapes of the benchmark network (256 samples = 64 images x T = 4), median ms; tfjs-cpu on ${plural(first?.cpuThreads ?? 1, 'thread')}, wasm on ${plural(first?.wasmThreads ?? 1, 'thread')}.`, '');
  lines.push('| kernel | case | tfjs-cpu | tfjs-backend-wasm | @spikeflow/backend-wasm |', '|---|---|---:|---:|---:|');
  for (const k of r.kernels) lines.push(`| ${k.kernel} | ${k.case} | ${k.cpuMs === undefined ? 'not run' : ms(k.cpuMs)} | ${ms(k.wasmTfjsMs)} | ${ms(k.wasmOursMs)} |`);
  lines.push('', 'Training throughput (64 images per step; the spiking network: LIF, T = 4):', '');
  lines.push('| network | backend | threads | images/s | median step ms | steps timed |', '|---|---|---:|---:|---:|---:|');
  for (const t of r.training) lines.push(`| ${t.net === 'snn' ? 'spiking (LIF, T = 4)' : 'ANN floor'} | ${t.backend} | ${t.threads ?? '-'} | ${f(t.imagesPerSec)} | ${f(t.medianStepMs, 0)} | ${t.steps} |`);
  if (r.skipped?.length) lines.push('', `Not run: ${r.skipped.join('; ')}.`);
  return lines.join('\n');
}

/** bench-results/train-demo-browser.json (docs/scripts/browser-train-rate.ts --save): the training demo page in headless Chromium. */
function trainDemoBrowserTable(r) {
  const lines = [provenance(r), ''];
  lines.push(`The built site's /demos/train in ${r.browser}, ${r.seconds} s of training per run, runs in turns; images/s is the mean of what the page reported.`, '');
  lines.push('| address | backend chosen | threads | neuron kernel | images/s | step reached | held-out accuracy | 1-minute load |', '|---|---|---:|---|---:|---:|---:|---:|');
  for (const x of r.runs) lines.push(`| \`/demos/train${x.query}\` | ${x.chosen} | ${x.threads} | ${x.neuronKernel || '-'} | ${f(x.imagesPerSecond)} | ${x.step} | ${f(100 * x.accuracy)}% | ${f(x.load)} |`);
  return lines.join('\n');
}

/** bench-results/docs-train-demo-BACKEND.json (docs/scripts/bench-train-demo.ts --save): the demo's loop in Node. */
function trainDemoNodeTable(r) {
  const lines = [provenance(r), ''];
  lines.push('| where | backend | device | batch | images/s | held-out accuracy > 50% at step | steps |', '|---|---|---|---:|---:|---:|---:|');
  lines.push(`| Node ${r.machine.node} | ${r.backend} | ${r.device} | ${r.options.batchSize} | ${f(r.imagesPerSecond)} | ${r.firstStepOver50 ?? 'not reached'} | ${r.steps} |`);
  return lines.join('\n');
}

/** bench-results/memory.json and memory-bool.json (apps/train/bench/memory.bench.mjs --save): peak memory against T. */
function memoryTable(r) {
  const lines = [provenance(r), ''];
  const spikes = r.spikesAsBool ? 'as bool (`setSpikesSavedAsBool`)' : 'as float32 (the default)';
  lines.push(`Spikes kept for backward ${spikes}; one PLIF layer: M = ${r.M} neurons, forward + backward; CSNN: one training step at batch ${r.batch}.`, '');
  lines.push('| backend | workload | neuron op | T | peak tensors MB | wasm heap MB | GPU pool MB | peak RSS MB |', '|---|---|---|---:|---:|---:|---:|---:|');
  for (const x of r.rows) {
    if (x.error) lines.push(`| ${x.backend} | ${x.workload} | ${x.impl} | ${x.T} | failed: ${x.error} | | | |`);
    else lines.push(`| ${x.backend} | ${x.workload} | ${x.impl} | ${x.T} | ${f(x.peakTensorMB)} | ${f(x.wasmHeapMB)} | ${f(x.gpuPoolMB)} | ${f(x.peakRssMB, 0)} |`);
  }
  const e = r.savedForBackward;
  if (e && !e.error) lines.push('', `Kept for the backward pass by the CSNN step at T = ${e.T} (${e.backend}, ${e.impl} neuron op): ${f(e.savedBytes / 2 ** 20)} MB.`);
  return lines.join('\n');
}

/** Each renderable bench JSON and its table. */
export const RENDERERS = {
  backends: backendsTable,
  'neuron-layer': neuronLayerTable,
  'long-t-memory': longTMemoryTable,
  'step-profile': stepProfileTable,
  'wasm-kernels': wasmKernelsTable,
  'train-demo-browser': trainDemoBrowserTable,
  'docs-train-demo-wasm': trainDemoNodeTable,
  'docs-train-demo-webgpu': trainDemoNodeTable,
  memory: memoryTable,
  'memory-bool': memoryTable,
};

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
