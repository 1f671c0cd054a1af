#!/usr/bin/env node
// Benchmark of @spikeflow/backend-wasm (run `npx tsc -p packages/backend-wasm/tsconfig.build.json`
// first; `node scripts/bench.mjs wasm` runs it):
//  (a) each kernel the package adds or replaces, on the ANN-floor network's shapes: tfjs-cpu,
//      tfjs-backend-wasm's own version (where it has one) and ours;
//  (b) training images/s of the ANN-floor network on wasm (1 and 2 threads) and on cpu, plus
//      where a wasm step spends its time.
// Writes wasm-kernels.json (see @spikeflow/test-support/bench/record.mjs: --save for bench-results/).
// --no-cpu-training: leave out the ANN floor's training on tfjs-cpu (minutes per step); the JSON says so.
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, URL } from 'node:url';
import { kernelCases } from './kernel-cases.mjs';
import { backendThreads } from '@spikeflow/test-support/bench/threads.mjs';
import { benchOutDir, benchRecord } from '@spikeflow/test-support/bench/record.mjs';

// tfjs-backend-wasm's own kernel functions, captured before the package replaces them.
const wasmOriginals = new Map(kernelCases.map((c) => [c.kernel, tf.getKernel(c.kernel, 'wasm')?.kernelFunc]));
const { trainingKernelNames } = await import('../dist/index.js');

/** Median ms of fn over runs until ~budgetMs (at least 3, or just 1 if a run takes over 2 s). */
function timeMs(fn, budgetMs) {
  const times = [];
  const start = performance.now();
  do {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  } while ((times.length < 3 && times[0] < 2000) || (performance.now() - start < budgetMs && times.length < 30));
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

function makeInputs(c) {
  return Object.fromEntries(Object.entries(c.inputs).map(([name, shape], i) =>
    [name, tf.randomUniform(shape, -1, 1, 'float32', 100 + i)]));
}

async function timeKernel(c, backend, which) {
  await tf.setBackend(backend);
  const inputs = makeInputs(c);
  const b = tf.backend();
  const run = which === 'original'
    ? () => b.disposeData(wasmOriginals.get(c.kernel)({ inputs, backend: b, attrs: c.attrs }).dataId)
    : () => tf.dispose(tf.engine().runKernel(c.kernel, inputs, c.attrs));
  // Warm-up (XNNPACK operator creation, heap growth); tfjs-cpu's slowest kernels run once only.
  if (backend !== 'cpu') run();
  const ms = timeMs(run, backend === 'cpu' ? 0 : 400);
  tf.dispose(Object.values(inputs));
  return ms;
}

const fmt = (ms) => (ms == null ? '-' : ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
const kernelRows = [];
await tf.setBackend('wasm');
console.log(`(a) kernels on the ANN-floor shapes (batch 256), median ms; threads: cpu ${backendThreads('cpu')}, wasm ${backendThreads('wasm')}`);
console.log(`${'kernel'.padEnd(22)}${'case'.padEnd(27)}${'cpu'.padStart(9)}${'wasm tfjs'.padStart(11)}${'wasm ours'.padStart(11)}${'vs cpu'.padStart(9)}`);
for (const c of kernelCases) {
  const cpu = await timeKernel(c, 'cpu', 'registered');
  const original = wasmOriginals.get(c.kernel) ? await timeKernel(c, 'wasm', 'original') : null;
  const ours = await timeKernel(c, 'wasm', 'registered');
  kernelRows.push({ kernel: c.kernel, case: c.label, inputs: c.inputs, cpuThreads: backendThreads('cpu'), wasmThreads: backendThreads('wasm'), cpuMs: cpu, wasmTfjsMs: original, wasmOursMs: ours });
  console.log(`${c.kernel.padEnd(22)}${c.label.padEnd(27)}${fmt(cpu).padStart(9)}${fmt(original).padStart(11)}` +
    `${fmt(ours).padStart(11)}${`${(cpu / ours).toFixed(0)}x`.padStart(9)}`);
}

console.log('\n(b) training the ANN-floor network: {Conv3x3-BN-ReLU-MaxPool2}x2 -> Dense 512 -> Dense 10, MSE, SGD momentum');
console.log('    64 images x T=4 = 256 samples per step; images/s counts 64 per step');
const runner = fileURLToPath(new URL('./train-run.mjs', import.meta.url));
const trainRuns = [];
// The spiking version runs on wasm only: on cpu one step of the ANN floor alone takes minutes.
const cpuTraining = !process.argv.includes('--no-cpu-training');
const skipped = cpuTraining ? [] : ['the ANN floor training on tfjs-cpu (--no-cpu-training)'];
const runs = [['ann', 'wasm', 1], ['ann', 'wasm', 2], ['snn', 'wasm', 1], ['snn', 'wasm', 2], ...(cpuTraining ? [['ann', 'cpu', 1]] : [])];
for (const [net, backend, threads] of runs) {
  const res = spawnSync(process.execPath, [runner, backend, String(threads), net], { encoding: 'utf8' });
  const line = res.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (res.status !== 0 || line == null) {
    console.error(`train-run ${net} ${backend} x${threads} failed (${res.status}):\n${res.stderr}`);
    process.exitCode = 1;
    continue;
  }
  const r = JSON.parse(line);
  trainRuns.push(r);
  console.log(`  ${`${net === 'snn' ? 'spiking' : 'ANN floor'}, ${backend}, ${r.threads ?? '-'} thread(s)`.padEnd(30)} ${r.imagesPerSec.toFixed(1).padStart(7)} images/s` +
    `  (median step ${r.medianStepMs.toFixed(0)} ms over ${r.steps} steps after ${r.warmup} warm-up;` +
    ` loss ${r.losses[0].toFixed(3)} -> ${r.losses.at(-1).toFixed(3)}; tensors ${r.tensorsBefore} -> ${r.tensorsAfter})`);
}
const cpuRun = trainRuns.find((r) => r.backend === 'cpu');
console.log('  spiking: LIF neurons (tau 2, sigmoid surrogate) over T=4 steps on 64 images; loss = MSE of output rates');
if (cpuRun) console.log(`  cpu is timed over ${cpuRun.steps} steps only (no warm-up): one step takes ${(cpuRun.medianStepMs / 1000).toFixed(1)} s`);

for (const wasm1 of trainRuns.filter((r) => r.backend === 'wasm' && r.threads === 1)) {
  console.log(`\n    where a ${wasm1.net === 'snn' ? 'spiking' : 'ANN floor'} wasm (1 thread) step goes: ` +
    `${wasm1.profiledStepMs.toFixed(0)} ms profiled step, kernels:`);
  for (const k of wasm1.kernels.slice(0, 12)) {
    console.log(`      ${k.kernel.padEnd(22)}${fmt(k.ms).padStart(8)} ms  ${String(k.calls).padStart(3)} calls`);
  }
  const kernelMs = wasm1.kernels.reduce((s, k) => s + k.ms, 0);
  console.log(`      ${'(all kernels)'.padEnd(22)}${fmt(kernelMs).padStart(8)} ms; the rest is tfjs bookkeeping (tape, tensors, optimizer) and JS`);
}

const outDir = benchOutDir();
writeFileSync(join(outDir, 'wasm-kernels.json'), JSON.stringify(benchRecord({
  date: new Date().toISOString(), node: process.version, tfjs: tf.version.tfjs,
  registeredKernels: trainingKernelNames, kernels: kernelRows, training: trainRuns, skipped,
}), null, 2));
console.log(`\nwrote ${join(outDir, 'wasm-kernels.json')}`);
