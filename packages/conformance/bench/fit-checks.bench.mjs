#!/usr/bin/env node
// What fit()'s step checks cost: the same training run with checkSteps true (the default) and false,
// interleaved (on, off, on, off...) so that a change in machine load hits both alike. Reports this
// process's CPU time per step beside the wall time: on a shared machine the wall time mostly measures
// the other processes, the CPU time the work (the cpu backend runs on this one thread).
// Usage: node packages/conformance/bench/fit-checks.bench.mjs [--backend cpu|wasm] [--batch 16] [--steps 40] [--reps 5]
// Needs `npx turbo run build --filter=@spikeflow/core...` (and @spikeflow/backend-wasm for wasm).
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { build, fit, Trainer, use } from '@spikeflow/core';
import { syntheticDataset } from '@spikeflow/datasets';
import { neurons, surrogates } from '@spikeflow/neurons';
import { pools } from '@spikeflow/pooling';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const backend = arg('backend', 'cpu');
const batch = Number(arg('batch', 16));
const steps = Number(arg('steps', 40));
const reps = Number(arg('reps', 5));

use(neurons, surrogates, pools);
if (backend === 'wasm') await import('@spikeflow/backend-wasm');
else await import('@spikeflow/backend-cpu');
await tf.setBackend(backend);
await tf.ready();

// The synthetic preset's network at a bench-friendly size: two conv blocks, PLIF, max pooling.
const plif = { kind: 'neuron', neuron: 'plif', initTau: 2, detachReset: true };
const spec = {
  input: { shape: [28, 28, 1] },
  timeSteps: 4,
  layers: [
    { kind: 'conv2d', filters: 8, kernelSize: 3 },
    { kind: 'batchNorm' },
    plif,
    { kind: 'pool', pool: 'max', size: 2 },
    { kind: 'conv2d', filters: 8, kernelSize: 3 },
    { kind: 'batchNorm' },
    plif,
    { kind: 'pool', pool: 'max', size: 2 },
    { kind: 'flatten' },
    { kind: 'dense', units: 100 },
    plif,
    { kind: 'voting', groups: 10 },
  ],
};
const { x, labels } = syntheticDataset({ numClasses: 10, shape: [28, 28, 1], samples: batch * steps, seed: 1, taskSeed: 1 });
const stream = {
  size: batch * steps,
  batchesPerEpoch: steps,
  *batches() {
    for (let i = 0; i < steps; i++) yield { xs: x.slice([i * batch], [batch]), ys: labels.slice([i * batch], [batch]) };
  },
};

/** Wall and CPU milliseconds per training step of one fit() call (after one warm-up step). */
async function msPerStep(checkSteps) {
  const net = build(spec, { seed: 3 });
  const trainer = new Trainer(net, { optimizer: { kind: 'adam', learningRate: 1e-3 } });
  let t0 = 0;
  let cpu0 = 0;
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const result = await fit(trainer, stream, {
    epochs: 1,
    checkSteps,
    onBatchEnd: (p) => {
      if (p.batch === 1) {
        t0 = performance.now();
        cpu0 = cpuMs();
      }
    },
  });
  const ms = { wall: (performance.now() - t0) / (steps - 1), cpu: (cpuMs() - cpu0) / (steps - 1) };
  if (result.stopReason !== 'completed') throw new Error(`fit stopped: ${result.stopReason}`);
  trainer.dispose();
  net.dispose();
  return ms;
}

const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
const on = [];
const off = [];
const loadAtStart = loadavg();
for (let r = 0; r < reps; r++) {
  on.push(await msPerStep(true));
  off.push(await msPerStep(false));
}
const load = (l) => l.map((x) => x.toFixed(1)).join(' ');
console.log(`fit step checks, ${backend}, batch ${batch}, T=4, ${steps} steps x ${reps} reps (load ${load(loadAtStart)} at start, ${load(loadavg())} at end)`);
for (const kind of ['cpu', 'wall']) {
  const a = median(on.map((m) => m[kind]));
  const b = median(off.map((m) => m[kind]));
  const all = (runs) => runs.map((m) => m[kind].toFixed(0)).join(', ');
  console.log(`  ${kind} ms/step (median): checks on ${a.toFixed(1)} [${all(on)}], off ${b.toFixed(1)} [${all(off)}]: the checks cost ${(100 * (a / b - 1)).toFixed(1)}%`);
}
