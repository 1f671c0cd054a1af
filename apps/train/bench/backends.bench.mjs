#!/usr/bin/env node
// Training throughput of the benchmark CSNN on every backend side by side: images/s of the SNN
// ({Conv3x3(1->32)-BN-PLIF-MaxPool2}x2 -> Dense(1568->512) -> PLIF -> Dense(512->10) -> PLIF, T = 4,
// batch 64, MSE on rate, SGD momentum), of its ANN floor (ReLU, T folded into the batch), their
// ratio, and the share of the SNN step spent in the neuron op (the four layers' forward+backward
// timed alone at the step's shapes). Each backend runs in its own process.
// Usage: node apps/train/bench/backends.bench.mjs [--backends wasm,cpu,webgpu] [--steps N]
//   SPIKEFLOW_BENCH_QUICK=1: one timed step per backend.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const T = 4;
const BATCH = 64;

if (process.argv.includes('--child')) {
  await child(arg('child'), Number(arg('steps', '3')));
} else {
  await parent();
}

async function parent() {
  const backends = arg('backends', 'wasm,cpu,webgpu').split(',');
  const quick = process.env.SPIKEFLOW_BENCH_QUICK === '1';
  // cpu is slow: fewer timed steps there.
  const stepsFor = (b) => Number(arg('steps', quick || b === 'cpu' || b === 'webgpu' ? '1' : '3'));
  const rows = [];
  for (const backend of backends) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', backend, '--steps', String(stepsFor(backend))], { encoding: 'utf8', timeout: 900_000 });
    const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('RESULT '));
    if (!line) {
      rows.push({ backend, error: ((r.stderr ?? '').trim().split('\n').pop() || `exit ${r.status}`).slice(0, 160) });
      continue;
    }
    rows.push(JSON.parse(line.slice('RESULT '.length)));
  }
  const f = (v, d = 1) => (typeof v === 'number' ? v.toFixed(d) : '-');
  console.log(`\nCSNN training, T=${T}, batch ${BATCH} (images/s counts the ${BATCH} samples of a step)`);
  console.log('| backend | neuron op | SNN step ms | SNN images/s | ANN floor step ms | ANN images/s | SNN / ANN | neuron op share | note |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---|');
  for (const r of rows) {
    if (r.error) console.log(`| ${r.backend} | - | - | - | - | - | - | - | ${r.error} |`);
    else console.log(`| ${r.backend} | ${r.neuronImpl} | ${f(r.snnMs, 0)} | ${f(r.snnImagesPerSecond)} | ${f(r.annMs, 0)} | ${f(r.annImagesPerSecond)} | ${f(r.ratio, 2)} | ${f(100 * r.neuronShare, 1)}% | ${r.device ?? ''} ${r.steps} timed steps |`);
  }
  const out = process.env.SPIKEFLOW_BENCH_OUT ?? 'bench-results';
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'backends.json'), JSON.stringify({ T, batch: BATCH, rows, date: new Date().toISOString() }, null, 2));
}

async function child(backend, steps) {
  const tf = await import('@tensorflow/tfjs');
  const { use, registry, compileNeuron, runNeuron, neuronImplementation } = await import('@spikeflow/core');
  const { selectBackend } = await import('@spikeflow/core/node');
  const { neurons, surrogates } = await import('@spikeflow/neurons');
  const { pools } = await import('@spikeflow/pooling');
  const { snnTrainer, annTrainer, randomBatch, csnnSpec } = await import('../../../scripts/bench-lib/csnn.mjs');
  use(neurons, surrogates, pools);
  const selected = await selectBackend(backend);
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
  const device = selected.report.device;
  const result = {
    backend,
    device,
    steps,
    neuronImpl: neuronImplementation(compiled),
    snnMs,
    snnImagesPerSecond: (BATCH / snnMs) * 1000,
    annMs,
    annImagesPerSecond: (BATCH / annMs) * 1000,
    ratio: snnMs / annMs,
    neuronMs,
    neuronShare: neuronMs / snnMs,
  };
  console.log('RESULT ' + JSON.stringify(result));
}
