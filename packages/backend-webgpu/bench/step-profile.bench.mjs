// Where a WebGPU training step of the benchmark CSNN goes (T = 4, batch 64, MSE on rate, SGD
// momentum): wall and process-CPU ms per step, and each kernel's share of the step's GPU time
// (tf.profile, timestamp queries). Runs the step with spikeflow's Conv2DBackpropFilter and with
// tfjs's, taking turns, so the two profiles come from the same minutes.
// Usage: node packages/backend-webgpu/bench/step-profile.bench.mjs [--steps 3] [--batch 64] [--t 4]
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { use } from '@spikeflow/core';
import { registerKernels } from '@spikeflow/core/backend';
import { neurons, surrogates } from '@spikeflow/neurons';
import { pools } from '@spikeflow/pooling';
import { conv2DBackpropFilterConfig, formatAdapter, setupAdapter, tfjsFilterGradConfig } from '@spikeflow/backend-webgpu';
import { randomBatch, snnTrainer } from '@spikeflow/test-support/bench/csnn.mjs';
import { printTable } from './table.mjs';
import { benchOutDir, benchRecord } from '@spikeflow/test-support/bench/record.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const quick = process.env.SPIKEFLOW_BENCH_QUICK === '1';
const steps = Number(arg('steps', quick ? 1 : 3));
const batch = Number(arg('batch', 64));
const T = Number(arg('t', 4));
use(neurons, surrogates, pools);
const adapter = await setupAdapter();
const variants = { 'spikeflow filter grad': conv2DBackpropFilterConfig(), 'tfjs filter grad': tfjsFilterGradConfig() };
const { x, labels } = randomBatch(batch);
const trainer = snnTrainer(T);
const step = async () => {
  const loss = trainer.step(x, labels);
  await loss.data();
  loss.dispose();
};
for (const v of Object.values(variants)) {
  registerKernels([v], { replace: true });
  await step(); // compile, optimizer slots
}

const load0 = loadavg();
const timing = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let s = 0; s < steps; s++) {
  for (const [name, v] of Object.entries(variants)) {
    registerKernels([v], { replace: true });
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await step();
    const c = process.cpuUsage(c0);
    timing[name].push({ wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 });
  }
}

const results = [];
for (const [name, v] of Object.entries(variants)) {
  registerKernels([v], { replace: true });
  let loss;
  const total = await tf.time(() => { loss = trainer.step(x, labels); });
  loss.dispose();
  const prof = await tf.profile(() => trainer.step(x, labels));
  tf.dispose(prof.result);
  const byKernel = new Map();
  for (const k of prof.kernels) {
    const ms = Number(await k.kernelTimeMs) || 0;
    const e = byKernel.get(k.name) ?? { kernel: k.name, calls: 0, ms: 0 };
    e.calls++;
    e.ms += ms;
    byKernel.set(k.name, e);
  }
  const named = [...byKernel.values()].reduce((a, e) => a + e.ms, 0);
  // spikeflow's fused neuron programs run inside a custom gradient, not as named tfjs kernels.
  byKernel.set('(fused neurons, unnamed programs)', { kernel: '(fused neurons, unnamed programs)', calls: 0, ms: Math.max(0, total.kernelMs - named) });
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const kernels = [...byKernel.values()].sort((a, b) => b.ms - a.ms).map((k) => ({ ...k, share: k.ms / total.kernelMs }));
  results.push({
    variant: name,
    wallMsPerStep: med(timing[name].map((t) => t.wall)),
    cpuMsPerStep: med(timing[name].map((t) => t.cpu)),
    gpuMsPerStep: total.kernelMs,
    kernels,
  });
}
registerKernels([variants['spikeflow filter grad']], { replace: true });
trainer.dispose();
tf.dispose([x, labels]);

console.log(`WebGPU step profile on ${formatAdapter(adapter)}: CSNN T=${T}, batch ${batch}, median of ${steps} steps; load ${load0.map((l) => l.toFixed(1)).join(' ')}`);
printTable('Step time per Conv2DBackpropFilter kernel', ['variant', 'wall ms', 'CPU ms', 'GPU ms (profiled)', 'images/s (wall)'],
  results.map((r) => [r.variant, r.wallMsPerStep.toFixed(0), r.cpuMsPerStep.toFixed(0), r.gpuMsPerStep.toFixed(0), ((1000 * batch) / r.wallMsPerStep).toFixed(1)]));
for (const r of results) {
  printTable(`Kernels of one step, ${r.variant} (share of GPU time)`, ['kernel', 'calls', 'ms', 'share'],
    r.kernels.slice(0, 14).map((k) => [k.kernel, k.calls, k.ms.toFixed(1), `${(100 * k.share).toFixed(1)}%`]));
}
const out = benchOutDir();
writeFileSync(join(out, 'webgpu-step-profile.json'), JSON.stringify(benchRecord({ adapter, T, batch, steps, loadAverageAtStart: load0, loadAverageAtEnd: loadavg(), results, date: new Date().toISOString() }), null, 2));
console.log(`wrote ${join(out, 'webgpu-step-profile.json')}`);
process.exit(0);
