#!/usr/bin/env node
// One neuron layer, forward + backward over all T, through the fused kernel of each backend (cpu:
// the generated JS host kernel; wasm: the generated WebAssembly SIMD module, or the JS host kernel;
// webgpu: the generated WGSL). PLIF is the paper's layer;
// Izhikevich (two state variables) runs where @spikeflow/neurons-extra is installed.
// Usage: node packages/conformance/bench/neuron-layer.bench.mjs [--backends cpu,wasm,webgpu] [--m 65536] [--t 8] [--reps 5]
//   [--wasm-kernels simd,js]: wasm rows per neuron kernel (WebAssembly SIMD, JavaScript host kernel)
//   [--wasm-threads N]: wasm threads (default: every core)
//   [--checkpoint-every 0,K,...]: a row per memory-lean BPTT interval (0: every step kept; the default)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { registry, runNeuron, use, validate } from '@spikeflow/core';
import { compileNeuron } from '@spikeflow/core/backend';
import { neurons, surrogates } from '@spikeflow/neurons';
import { benchOutDir, benchRecord } from '@spikeflow/test-support/bench/record.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const backends = arg('backends', 'cpu,wasm,webgpu').split(',');
const M = Number(arg('m', 65536));
const T = Number(arg('t', 8));
const reps = Number(arg('reps', 5));
const wasmKernels = arg('wasm-kernels', 'simd,js').split(',');
const wasmThreads = arg('wasm-threads', undefined);
const intervals = arg('checkpoint-every', '0').split(',').map(Number);

use(neurons, surrogates);
const layers = [{ name: 'plif', layer: { neuron: 'plif', detachReset: true, surrogate: { kind: 'atan' } } }];
try {
  const extra = await import('@spikeflow/neurons-extra');
  use(extra.extraNeurons);
  layers.push({ name: 'izhikevich', layer: { neuron: 'izhikevich', surrogate: { kind: 'sigmoid' } } });
} catch {
  console.log('(@spikeflow/neurons-extra not installed: PLIF only)');
}

const compile = (layer) => {
  const o = validate({ input: { shape: [1] }, layers: [{ kind: 'neuron', ...layer }] }).layers[0];
  return compileNeuron(registry.neurons.get(o.neuron), registry.surrogates.get(o.surrogate.kind), o, o.surrogate);
};

async function step(n, x, params, gS, checkpointEvery) {
  const grads = tf.tidy(() => tf.grads((xi, ...ps) => tf.sum(tf.mul(runNeuron(n, xi, ps, false, undefined, { checkpointEvery }), gS)))([x, ...params]));
  await grads[0].data();
  tf.dispose(grads);
}

const rows = [];
for (const backend of backends) {
  try {
    // Each backend package registers its fused neuron kernel when set up; core registers none.
    if (backend === 'cpu') await (await import('@spikeflow/backend-cpu')).setup();
    if (backend === 'wasm') await (await import('@spikeflow/backend-wasm')).setup(wasmThreads ? { threads: Number(wasmThreads) } : {});
    if (backend === 'webgpu') await (await import('@spikeflow/backend-webgpu')).setup({ setBackend: false });
    await tf.setBackend(backend);
    await tf.ready();
  } catch (e) {
    console.log(`${backend}: skipped (${e.message.split('\n')[0]})`);
    continue;
  }
  const threads = backend === 'wasm' ? (await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount() : 1;
  for (const kernel of backend === 'wasm' ? wasmKernels : ['fused'])
  for (const { name, layer } of layers)
  for (const checkpointEvery of intervals) {
    if (backend === 'wasm') (await import('@spikeflow/backend-wasm')).selectWasmNeuronKernel(kernel);
    const n = compile(layer);
    const x = tf.randomUniform([T, M], -0.5, 1.5, 'float32', 1);
    const gS = tf.randomUniform([T, M], -1, 1, 'float32', 2);
    const params = n.paramInit.map((p) => tf.scalar(p));
    // Warm-up: code generation, shader compilation, and V8 optimising the wasm code (tfjs's and ours).
    for (let i = 0; i < 3; i++) await step(n, x, params, gS, checkpointEvery);
    const times = [];
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      await step(n, x, params, gS, checkpointEvery);
      times.push(performance.now() - t0);
    }
    const cpu = process.cpuUsage(cpu0);
    times.sort((a, b) => a - b);
    const ms = times[Math.floor(times.length / 2)];
    const cpuMs = (cpu.user + cpu.system) / 1000 / reps;
    rows.push({ backend, kernel, threads, neuron: name, checkpointEvery, T, M, medianMs: ms, minMs: times[0], cpuMsPerRep: cpuMs, load1: loadavg()[0] });
    tf.dispose([x, gS, ...params]);
  }
}
console.log(`\nneuron layer forward + backward, T=${T}, M=${M} (median of ${reps}; load = 1-minute load average)`);
console.log('| backend | kernel | threads | neuron | checkpointEvery | median ms | min ms | process CPU ms | load |');
console.log('|---|---|---:|---|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.backend} | ${r.kernel} | ${r.threads} | ${r.neuron} | ${r.checkpointEvery || 'off'} | ${r.medianMs.toFixed(1)} | ${r.minMs.toFixed(1)} | ${r.cpuMsPerRep.toFixed(1)} | ${r.load1.toFixed(1)} |`);
const out = benchOutDir();
writeFileSync(join(out, 'neuron-layer.json'), JSON.stringify(benchRecord({ date: new Date().toISOString(), rows }), null, 2));
process.exit(0);
