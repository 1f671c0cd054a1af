#!/usr/bin/env node
// Training throughput of the benchmark CSNN on every backend side by side, and SpikingJelly's on the
// same CPU when python3 has torch and spikingjelly: images/s of the SNN
// ({Conv3x3(1->32)-BN-PLIF-MaxPool2}x2 -> Dense(1568->512) -> PLIF -> Dense(512->10) -> PLIF, T = 4,
// batch 64, MSE on rate, SGD momentum), of its ANN floor (ReLU, the same static prefix, T folded into the batch after it), their
// ratio, the share of the SNN step spent in the neuron op (the four layers' forward+backward timed
// alone at the step's shapes), the thread count and peak memory. Each backend and each SpikingJelly
// run is its own process; rounds take turns (spikeflow, SpikingJelly, spikeflow, SpikingJelly) and
// the best round of each is reported.
// Usage: node apps/train/bench/backends.bench.mjs [--backends wasm,cpu,webgpu|none] [--rounds 2]
//          [--steps N] [--threads N] [--python PATH] [--no-spikingjelly] [--save]
//   --save: the JSON goes to the committed bench-results/ (the README's and docs' tables), not .tmp/.
//   SPIKEFLOW_BENCH_QUICK=1: one timed step per backend.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCompareArgs } from './compare/args.mjs';
import { parseResultLine, probeSpikingJelly, runSpikingJelly, WHERE_IT_RUNS } from './compare/spikingjelly.mjs';
import { buildCompareReport, formatCompareTable } from './compare/report.mjs';
import { benchOutDir, benchRecord } from '@spikeflow/test-support/bench/record.mjs';

const T = 4;
const BATCH = 64;
const childArg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};

if (process.argv.includes('--child')) {
  const threads = childArg('threads');
  await child(childArg('child'), Number(childArg('steps', '3')), threads === undefined ? undefined : Number(threads));
} else {
  let options;
  try {
    options = parseCompareArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`backends.bench: ${e.message}`);
    process.exit(2);
  }
  await parent(options);
}

function runSpikeflow(backend, steps, threads) {
  const args = [fileURLToPath(import.meta.url), '--child', backend, '--steps', String(steps)];
  if (threads !== undefined) args.push('--threads', String(threads));
  const r = spawnSync(process.execPath, ['--expose-gc', ...args], { encoding: 'utf8', timeout: 900_000 });
  const result = parseResultLine(r.stdout);
  if (result) return result;
  return { framework: 'spikeflow', backend, error: ((r.stderr ?? '').trim().split('\n').pop() || `exit ${r.status}`).slice(0, 160) };
}

async function parent(options) {
  const quick = process.env.SPIKEFLOW_BENCH_QUICK === '1';
  // cpu is slow, webgpu on a software rasteriser too: fewer timed steps there.
  const stepsFor = (b) => options.steps ?? (quick || b === 'cpu' || b === 'webgpu' ? 1 : 3);
  let spikingjelly = { status: 'off' };
  if (options.spikingjelly) {
    const probe = probeSpikingJelly(options.python);
    spikingjelly = probe.available ? { status: 'ran', python: options.python } : { status: 'skipped', reason: probe.reason, where: WHERE_IT_RUNS };
    if (!probe.available) console.log(`SpikingJelly: skipped: ${probe.reason}; ${WHERE_IT_RUNS}.`);
  }
  const runs = options.backends.map((backend) => ({ name: `spikeflow ${backend}`, framework: 'spikeflow', backend, rounds: [] }));
  const sjRun = { name: 'SpikingJelly (PyTorch CPU)', framework: 'spikingjelly', rounds: [] };
  if (spikingjelly.status === 'ran') runs.push(sjRun);
  for (let round = 1; round <= options.rounds; round++) {
    for (const run of runs) {
      const result = run === sjRun
        ? runSpikingJelly(options.python, { steps: options.steps ?? (quick ? 1 : 3), threads: options.threads })
        : runSpikeflow(run.backend, stepsFor(run.backend), options.threads);
      run.rounds.push({ ...result, round });
      const ips = result.error ? `failed: ${result.error}` : `${result.snnImagesPerSecond.toFixed(1)} images/s, ${result.threads} threads`;
      console.log(`round ${round}: ${run.name}: ${ips}`);
    }
  }
  const report = buildCompareReport({ T, batch: BATCH, rounds: options.rounds, runs, spikingjelly, load: loadavg(), cores: availableParallelism() });
  console.log('\n' + formatCompareTable(report));
  const out = benchOutDir();
  writeFileSync(join(out, 'backends.json'), JSON.stringify(benchRecord(report), null, 2));
}

async function child(backend, steps, threads) {
  const tf = await import('@tensorflow/tfjs');
  const { use, registry, runNeuron } = await import('@spikeflow/core');
  const { compileNeuron, neuronImplementation } = await import('@spikeflow/core/backend');
  const { selectBackend } = await import('@spikeflow/core/node');
  const { neurons, surrogates } = await import('@spikeflow/neurons');
  const { pools } = await import('@spikeflow/pooling');
  const { snnTrainer, annTrainer, randomBatch, csnnSpec } = await import('@spikeflow/test-support/bench/csnn.mjs');
  use(neurons, surrogates, pools);
  const selected = await selectBackend(backend, threads === undefined ? {} : { setupOptions: { threads } });
  tf.enableProdMode();
  const { x, labels } = randomBatch(BATCH);
  const time = async (step) => {
    const warm = await step(); // warm-up: kernels compile, buffers allocate
    await warm.data();
    warm.dispose();
    const ms = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      const loss = await step();
      await loss.data();
      ms.push(performance.now() - t0);
      loss.dispose();
    }
    return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)];
  };
  const snn = snnTrainer(T);
  const snnMs = await time(async () => snn.step(x, labels));
  // Peak memory of one SNN step: the tensors tfjs tracks, and the process's resident set so far.
  const profile = await tf.profile(async () => {
    const loss = snn.step(x, labels);
    await loss.data();
    loss.dispose();
  });
  const peakRssMB = process.resourceUsage().maxRSS / 1024;
  const wasmHeapMB = backend === 'wasm' ? tf.backend().wasm.HEAPU8.buffer.byteLength / 2 ** 20 : undefined;
  snn.dispose();
  const ann = annTrainer(T);
  const annMs = await time(async () => ann.step(x, labels));
  ann.dispose();

  // The neuron op alone at the four layers' shapes, forward + backward.
  const spec = (await import('@spikeflow/core')).validate(csnnSpec(T));
  const opts = spec.layers.find((l) => l.kind === 'neuron');
  const compiled = compileNeuron(registry.neurons.get('plif'), registry.surrogates.get('atan'), opts, opts.surrogate);
  const sizes = [BATCH * 28 * 28 * 32, BATCH * 14 * 14 * 32, BATCH * 512, BATCH * 10];
  const w = tf.scalar(0);
  let neuronMs = 0;
  for (const M of sizes) {
    const xs = tf.randomUniform([T, M], 0, 1.5, 'float32', 3);
    const gs = tf.randomNormal([T, M], 0, 1, 'float32', 4);
    neuronMs += await time(async () => tf.tidy(() => {
      const [gx, gw] = tf.grads((xi, wi) => tf.sum(tf.mul(runNeuron(compiled, xi, [wi]), gs)))([xs, w]);
      return tf.add(tf.sum(gx), gw);
    }));
    tf.dispose([xs, gs]);
  }
  const result = {
    framework: 'spikeflow',
    backend,
    device: selected.report.device,
    threads: selected.report.threads,
    steps,
    neuronImpl: neuronImplementation(compiled),
    snnMs,
    snnImagesPerSecond: (BATCH / snnMs) * 1000,
    annMs,
    annImagesPerSecond: (BATCH / annMs) * 1000,
    ratio: snnMs / annMs,
    neuronMs,
    neuronShare: neuronMs / snnMs,
    peakTensorMB: profile.peakBytes / 2 ** 20,
    peakRssMB,
    wasmHeapMB,
  };
  console.log('RESULT ' + JSON.stringify(result));
  process.exit(0);
}
