#!/usr/bin/env node
// One training-throughput measurement of the ANN-floor network, in its own process (the wasm
// thread count is fixed when the backend starts). Prints one JSON line.
// Usage: node train-run.mjs <cpu|wasm> [threads] [ann|snn] [steps]
//   ann: the ANN floor on 64*T = 256 samples; snn: the spiking version on 64 images x T = 4 steps.
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { initWasmBackendWithThreads } from '../dist/index.js';
import { createAnnFloorNet, makeTrainer, randomBatch } from './ann-floor-net.mjs';
import { T as SNN_T, csnnLoss } from './csnn-net.mjs';
import { startKernelTimer } from './kernel-timer.mjs';

const [backend = 'wasm', threadsArg = '1', net = 'ann', stepsArg] = process.argv.slice(2);
const BATCH = 64;
const T = 4; // time steps folded into the batch: 256 samples per step, 64 images
let threads = null;
if (backend === 'wasm') threads = (await initWasmBackendWithThreads(Number(threadsArg))).threads;
else await tf.setBackend(backend);

const steps = Number(stepsArg ?? (backend === 'cpu' ? 2 : 8));
const warmup = backend === 'cpu' ? 0 : 2;
const params = createAnnFloorNet();
// The ANN floor folds T into the batch; the SNN unrolls T itself on 64 images.
const trainer = makeTrainer(params, net === 'snn' ? csnnLoss : undefined);
const { x, labels } = randomBatch(net === 'snn' ? BATCH : BATCH * T);
if (net === 'snn' && SNN_T !== T) throw new Error(`csnn-net T=${SNN_T}, expected ${T}`);
for (let i = 0; i < warmup; i++) trainer.step(x, labels);
const tensorsBefore = tf.memory().numTensors;
const losses = [];
const stepMs = [];
for (let i = 0; i < steps; i++) {
  const t0 = performance.now();
  losses.push(trainer.step(x, labels));
  stepMs.push(performance.now() - t0);
}
const tensorsAfter = tf.memory().numTensors;
// A separate profiled step, so that the timer's overhead does not touch the throughput numbers.
const timer = startKernelTimer();
const t0 = performance.now();
trainer.step(x, labels);
const profiledStepMs = performance.now() - t0;
const kernels = timer.stop();
const median = [...stepMs].sort((a, b) => a - b)[Math.floor(stepMs.length / 2)];
console.log(JSON.stringify({
  net, backend, threads, steps, warmup, samplesPerStep: BATCH * T, imagesPerStep: BATCH,
  medianStepMs: median, imagesPerSec: (BATCH / median) * 1000, stepMs, losses,
  tensorsBefore, tensorsAfter, profiledStepMs, kernels,
}));
