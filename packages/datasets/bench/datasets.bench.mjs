// Benchmarks of @spikeflow/datasets (run by `node scripts/bench.mjs datasets` after the build):
//  1. full Fashion-MNIST train split from the .gz files into tensors (target <= 2 s)
//  2. event integration throughput (target >= 5 million events/s)
//  3. input pipeline batches/s vs a stand-in training step (the pipeline must be faster)
import { existsSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { allocEvents, createRng, hostBatches, imageSetToTensors, imageSource, integrateFrames, loadFashionMnist } from '@spikeflow/datasets/node';
import { benchOutDir, benchRecord } from '@spikeflow/test-support/bench/record.mjs';

await tf.setBackend('cpu');
const DEBIAN = '/usr/share/datasets/fashion-mnist';
const rows = [];
// Loading, integration and the pipeline run on JavaScript's main thread, the stand-in step on tfjs cpu.
const THREADS = 1;
const now = () => performance.now();

// 1. Fashion-MNIST train split: gunzip + IDX parse + float32 [60000,28,28,1] tensor.
let trainSet;
if (existsSync(join(DEBIAN, 'train-images-idx3-ubyte.gz'))) {
  const t0 = now();
  trainSet = await loadFashionMnist({ split: 'train', systemDir: DEBIAN });
  const { xs, ys } = imageSetToTensors(trainSet);
  const s = (now() - t0) / 1000;
  rows.push({ name: 'fashion-mnist train .gz -> tensors', value: s, unit: 's', target: '<= 2', pass: s <= 2, detail: `${xs.shape.join('x')} float32` });
  xs.dispose();
  ys.dispose();
} else {
  console.warn(`fashion-mnist: ${DEBIAN} missing (apt-get install dataset-fashion-mnist); using random bytes for the pipeline rows`);
  const count = 60000;
  const images = new Uint8Array(count * 784).map((_, i) => (i * 2654435761) >>> 24);
  trainSet = { name: 'fashion-mnist', split: 'train', images, labels: new Uint8Array(count).map((_, i) => i % 10), count, height: 28, width: 28, channels: 1, numClasses: 10, source: 'random' };
  rows.push({ name: 'fashion-mnist train .gz -> tensors', value: NaN, unit: 's', target: '<= 2', pass: false, detail: 'skipped: dataset not installed' });
}

// 2. Event integration: 10 M DVS128-sized events, sorted timestamps, T = 16, both split modes.
const N = 10_000_000;
const ev = allocEvents(N);
const rng = createRng(1);
for (let i = 0; i < N; i++) {
  ev.x[i] = (rng() * 128) | 0;
  ev.y[i] = (rng() * 128) | 0;
  ev.p[i] = rng() < 0.5 ? 1 : 0;
  ev.t[i] = i * 3;
}
const out = new Float32Array(16 * 128 * 128 * 2);
for (const splitBy of ['number', 'time']) {
  integrateFrames(ev, { frames: 16, splitBy, width: 128, height: 128 }, out); // warm-up
  const t0 = now();
  const reps = 3;
  for (let r = 0; r < reps; r++) integrateFrames(ev, { frames: 16, splitBy, width: 128, height: 128 }, out);
  const rate = (N * reps) / ((now() - t0) / 1000) / 1e6;
  rows.push({ name: `event integration (${splitBy}, T=16, 128x128)`, value: rate, unit: 'M events/s', target: '>= 5', pass: rate >= 5, detail: `${N / 1e6} M events` });
}

// 3. Pipeline vs training step, batch 64, direct encoder with T = 4 and 8.
// Stand-in step: conv 3x3 (1->8, stride 2, relu) -> dense (1568->10) applied to every time step
// (time folded into the batch), mean over T, softmax cross-entropy, one SGD update, tfjs cpu backend.
const w1 = tf.variable(tf.randomNormal([3, 3, 1, 8], 0, 0.1));
const w2 = tf.variable(tf.randomNormal([14 * 14 * 8, 10], 0, 0.05));
const opt = tf.train.sgd(0.01);
function trainStep(xs, ys, T, n) {
  opt.minimize(() => {
    const x = xs.reshape([T * n, 28, 28, 1]);
    const h = tf.relu(tf.conv2d(x, w1, 2, 'same')).reshape([T * n, 14 * 14 * 8]);
    const logits = h.matMul(w2).reshape([T, n, 10]).mean(0);
    return tf.losses.softmaxCrossEntropy(tf.oneHot(ys, 10), logits);
  });
}
const source = imageSource(trainSet, { augment: { kind: 'affine' } });
for (const T of [4, 8]) {
  const steps = 5;
  // pipeline alone (host batch + tensor creation)
  let t0 = now();
  let k = 0;
  for await (const h of hostBatches(source, { batchSize: 64, seed: 1, encoder: { kind: 'direct', T } })) {
    tf.tensor(h.data, h.shape).dispose();
    if (++k >= 200) break;
  }
  const pipe = k / ((now() - t0) / 1000);
  // training step alone, on one fixed batch
  const fixedX = tf.zeros([T, 64, 28, 28, 1]);
  const fixedY = tf.tensor1d(new Int32Array(64), 'int32');
  trainStep(fixedX, fixedY, T, 64);
  t0 = now();
  for (let i = 0; i < steps; i++) trainStep(fixedX, fixedY, T, 64);
  const step = steps / ((now() - t0) / 1000);
  fixedX.dispose();
  fixedY.dispose();
  rows.push({ name: `pipeline batches/s (64, direct T=${T}, affine aug)`, value: pipe, unit: 'batches/s', target: `> step`, pass: pipe > step, detail: `${(pipe / step).toFixed(1)}x the step rate` });
  rows.push({ name: `stand-in training step (T=${T}, conv+dense, cpu)`, value: step, unit: 'steps/s', target: '-', pass: true, detail: 'conv3x3x8 s2 + dense, SGD' });
}

console.table(rows.map((r) => ({ benchmark: r.name, threads: THREADS, value: Number.isFinite(r.value) ? Number(r.value.toFixed(3)) : 'n/a', unit: r.unit, target: r.target, pass: r.pass ? 'yes' : 'NO', detail: r.detail })));
const dir = benchOutDir();
writeFileSync(join(dir, 'datasets.json'), JSON.stringify(benchRecord({ package: '@spikeflow/datasets', date: new Date().toISOString(), node: process.version, backend: tf.getBackend(), threads: THREADS, rows: rows.map((r) => ({ ...r, threads: THREADS })) }), null, 2));
console.log(`wrote ${join(dir, 'datasets.json')}`);
