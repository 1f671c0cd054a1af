#!/usr/bin/env node
// Trains the network the /demos/draw page runs, with the spikeflow CLI's training loop
// (@spikeflow/train), and writes its weights in tfjs's format to public/models/draw/
// (model.json + weights.bin, no optimizer state). Needs the packages built (npm run build).
// Usage: node docs/scripts/train-draw-model.mjs [--epochs N] [--backend auto|wasm|webgpu|cpu]
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadCheckpoint, saveCheckpoint } from '@spikeflow/core';
import { loadSplits, paperImageNet, run, selectBackend } from '@spikeflow/train';

const { values } = parseArgs({ options: { epochs: { type: 'string', default: '3' }, backend: { type: 'string', default: 'auto' } } });
const epochs = Number(values.epochs);
if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`--epochs: expected an integer >= 1, got "${values.epochs}"`);

const outDir = fileURLToPath(new URL('../public/models/draw/', import.meta.url));
// The paper's network, narrowed (8 channels, 128 hidden) so its weights stay near 250 KB.
const preset = {
  description: 'the draw demo network',
  dataset: 'fashion-mnist',
  model: { ...paperImageNet('plif-fashion-mnist-draw', 8, 128), timeSteps: 4 },
  optimizer: { kind: 'adam', learningRate: 2e-3 },
  schedule: { kind: 'cosine', tMax: epochs },
  loss: 'mse',
  epochs,
  batchSize: 32,
  trainLimit: 20000,
  testLimit: 0,
  seed: 2020,
};

const backend = await selectBackend(values.backend);
const { train, test } = await loadSplits({ dataset: 'fashion-mnist', trainLimit: preset.trainLimit, testLimit: preset.testLimit, seed: preset.seed });
console.log(`training the draw model on ${backend.name}: ${train.source} (${train.count} images), tested on ${test.count}`);
const work = mkdtempSync(join(tmpdir(), 'spikeflow-draw-'));
try {
  const reports = await run({ preset, train, test, out: work, log: console.log });
  const best = reports.reduce((a, b) => (b.testAccuracy > a.testAccuracy ? b : a));
  const ckpt = await loadCheckpoint(`file://${join(work, 'best')}`);
  await saveCheckpoint(ckpt.network, `file://${outDir}`, { extra: { testAccuracy: best.testAccuracy, epoch: best.epoch, testImages: test.count } });
  writeFileSync(join(outDir, 'training.json'), JSON.stringify({ preset, reports }, null, 2) + '\n');
  const [weightsFile] = JSON.parse(readFileSync(join(outDir, 'model.json'), 'utf8')).weightsManifest[0].paths;
  // Saving again writes a new content-named weights file: keep only the one model.json names.
  for (const f of readdirSync(outDir)) if (f.endsWith('.bin') && f !== weightsFile) rmSync(join(outDir, f));
  const kb = (statSync(join(outDir, weightsFile)).size / 1024).toFixed(0);
  console.log(`wrote ${outDir} (${weightsFile} ${kb} KB), test accuracy ${(100 * best.testAccuracy).toFixed(2)}% (epoch ${best.epoch})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
