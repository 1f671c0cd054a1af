#!/usr/bin/env node
// Lists every kernel that one training step of the benchmark network runs (forward + backward +
// optimizer update) on the cpu backend, and whether the wasm backend has each one.
// Usage: node scripts/list-kernels.mjs [--with-package]   (--with-package: import the built package first)
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { createAnnFloorNet, makeTrainer, randomBatch } from '../bench/ann-floor-net.mjs';

if (process.argv.includes('--with-package')) await import('../dist/index.js');

await tf.setBackend('cpu');
const engine = tf.engine();
const seen = new Map();
const runKernel = engine.runKernel.bind(engine);
engine.runKernel = (name, inputs, attrs) => {
  seen.set(name, (seen.get(name) ?? 0) + 1);
  return runKernel(name, inputs, attrs);
};
const net = createAnnFloorNet();
const trainer = makeTrainer(net);
const { x, labels } = randomBatch(4);
trainer.step(x, labels);
// Ops the benchmark network does not use but spiking layers and their variants do.
tf.tidy(() => {
  const a = tf.randomNormal([3, 9, 9, 5]);
  const w = tf.randomNormal([3, 3, 5, 4]);
  const bias = tf.randomNormal([4]);
  const variants = (x, f) => {
    const y = tf.avgPool(tf.sigmoid(tf.conv2d(x, f, 2, 'valid')), 2, 2, 'same');
    const z = tf.fused.conv2d({ x, filter: f, strides: 2, pad: 'same', bias, activation: 'relu' });
    const spikes = tf.where(tf.greaterEqual(z, 0.5), tf.onesLike(z), tf.zerosLike(z)).mul(z);
    const cat = tf.concat([y.reshape([3, -1]), tf.tile(spikes.reshape([3, -1]), [1, 2])], 1);
    const m = tf.fused.matMul({ a: cat, b: tf.ones([cat.shape[1], 6]), bias: tf.ones([6]), activation: 'relu' });
    return tf.transpose(m).slice([0, 0], [4, 2]).sum().add(tf.tanh(m).mean());
  };
  tf.grads(variants)([a, w]);
});
engine.runKernel = runKernel;

const rows = [...seen].sort(([a], [b]) => a.localeCompare(b));
let missing = 0;
for (const [name, count] of rows) {
  const has = tf.getKernel(name, 'wasm') != null;
  if (!has) missing++;
  console.log(`${has ? '  ' : '!!'} ${name.padEnd(28)} calls=${count}${has ? '' : '  (missing on wasm)'}`);
}
console.log(`${rows.length} kernels, ${missing} missing on wasm`);
