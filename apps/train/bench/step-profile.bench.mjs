#!/usr/bin/env node
// Where a training step of the fashion-mnist-quick preset goes, on wasm: wall and CPU milliseconds
// per step (CPU time counts only what this process got, so the pair shows how much a busy machine
// slowed it), evaluation speed, and the kernels that take the most time in one step (tf.profile).
// Projects the images/s the preset would train at with the cores to itself.
// Usage: node apps/train/bench/step-profile.bench.mjs [--threads N] [--steps N]
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { build, Trainer, use } from '@spikeflow/core';
import { neurons, surrogates } from '@spikeflow/neurons';
import { pools } from '@spikeflow/pooling';
import { setup } from '@spikeflow/backend-wasm';
import { PRESETS, scheduleOf } from '@spikeflow/train';
import { backendThreads } from '@spikeflow/test-support/bench/threads.mjs';
import { benchOutDir, benchRecord } from '@spikeflow/test-support/bench/record.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const threadsAsked = Number(arg('threads', '1'));
const steps = Number(arg('steps', process.env.SPIKEFLOW_BENCH_QUICK === '1' ? '3' : '20'));
use(neurons, surrogates, pools);
tf.enableProdMode();
await setup({ threads: threadsAsked });
await tf.setBackend('wasm');
const threads = backendThreads('wasm');

const preset = PRESETS['fashion-mnist-quick'];
const net = build(preset.model, { seed: 1 });
const trainer = new Trainer(net, { optimizer: preset.optimizer, schedule: scheduleOf(preset), loss: preset.loss });
const B = preset.batchSize;
const xs = tf.randomUniform([B, 28, 28, 1]);
const ys = tf.randomUniform([B], 0, 10, 'int32');
const step = async () => {
  const r = trainer.trainStep(xs, ys);
  await r.loss.data();
  tf.dispose([r.loss, r.rate]);
};
for (let i = 0; i < 3; i++) await step(); // warm-up: kernel set-up, optimizer slots

const load0 = loadavg();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < steps; i++) await step();
const wallMs = (performance.now() - t0) / steps;
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000 / steps;

const evalX = tf.randomUniform([256, 28, 28, 1]);
const e0 = performance.now();
const ec0 = process.cpuUsage();
for (let i = 0; i < 3; i++) {
  const p = net.predict(evalX);
  await p.data();
  p.dispose();
}
const evalWallMs = (performance.now() - e0) / 3;
const ec = process.cpuUsage(ec0);
const evalCpuMs = (ec.user + ec.system) / 1000 / 3;

const profile = await tf.profile(async () => {
  const r = trainer.trainStep(xs, ys);
  await r.loss.data();
  tf.dispose([r.loss, r.rate]);
});
const byKernel = new Map();
for (const k of profile.kernels) {
  const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : Number((await k.kernelTimeMs) ?? 0);
  const entry = byKernel.get(k.name) ?? { kernel: k.name, calls: 0, ms: 0 };
  entry.calls++;
  entry.ms += ms;
  byKernel.set(k.name, entry);
}
const total = [...byKernel.values()].reduce((a, k) => a + k.ms, 0);
const kernels = [...byKernel.values()].sort((a, b) => b.ms - a.ms).slice(0, 12).map((k) => ({ ...k, ms: +k.ms.toFixed(1), share: +(k.ms / total).toFixed(3) }));

const result = {
  preset: 'fashion-mnist-quick',
  backend: 'wasm',
  threads,
  batch: B,
  timeSteps: preset.model.timeSteps,
  steps,
  wallMsPerStep: +wallMs.toFixed(1),
  cpuMsPerStep: +cpuMs.toFixed(1),
  cpuShare: +(cpuMs / wallMs).toFixed(2),
  imagesPerSecondWall: +((1000 * B) / wallMs).toFixed(1),
  imagesPerSecondOwnCores: +((1000 * B) / Math.min(wallMs, cpuMs / Math.max(1, threads))).toFixed(1),
  evalImagesPerSecondWall: +((1000 * 256) / evalWallMs).toFixed(1),
  evalImagesPerSecondCpu: +((1000 * 256) / evalCpuMs).toFixed(1),
  loadAverageAtStart: load0,
  loadAverageAtEnd: loadavg(),
  profiledStepMs: +total.toFixed(1),
  kernels,
};
console.log(`step profile, fashion-mnist-quick on wasm (${threads} thread${threads > 1 ? 's' : ''}), batch ${B}, T=${preset.model.timeSteps}, ${steps} steps`);
console.log(`  wall ${result.wallMsPerStep} ms/step, CPU ${result.cpuMsPerStep} ms/step (this process got ${Math.round(100 * result.cpuShare)}% of a core); load ${load0.map((l) => l.toFixed(1)).join(' ')}`);
console.log(`  training: ${result.imagesPerSecondWall} img/s as measured, ${result.imagesPerSecondOwnCores} img/s with the cores to itself; evaluation ${result.evalImagesPerSecondWall} img/s (${result.evalImagesPerSecondCpu} per CPU-second)`);
console.log('  kernel                         calls      ms  share');
for (const k of kernels) console.log(`  ${k.kernel.padEnd(30)} ${String(k.calls).padStart(5)} ${k.ms.toFixed(1).padStart(7)}  ${(100 * k.share).toFixed(1)}%`);
const dir = benchOutDir();
writeFileSync(join(dir, 'step-profile.json'), JSON.stringify(benchRecord(result), null, 2));
trainer.dispose();
net.dispose();
