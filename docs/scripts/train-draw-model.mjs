#!/usr/bin/env node
// Makes the network the /demos/draw page runs. Trains it with the spikeflow CLI from
// docs/scripts/draw-model.spec.json (or takes a finished run folder: --from DIR), copies the best
// checkpoint's network (no optimizer state) into public/models/draw/, evaluates the copied files on
// the 10,000 official Fashion-MNIST test images and writes public/models/draw/record.json: test
// accuracy, weight bytes, parameters and the commands that made it. Needs the packages built.
// Usage: node docs/scripts/train-draw-model.mjs [--from RUN_DIR] [--backend wasm] [--threads 1]
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { loadCheckpoint, saveCheckpoint, use } from '@spikeflow/core';
import { neurons, surrogates } from '@spikeflow/neurons';
import { pools } from '@spikeflow/pooling';
import { evaluate, loadSplits, readMetrics, selectBackend } from '@spikeflow/train';

const root = fileURLToPath(new URL('../../', import.meta.url));
const outDir = fileURLToPath(new URL('../public/models/draw/', import.meta.url));
const specFile = 'docs/scripts/draw-model.spec.json';
const { values } = parseArgs({ options: { from: { type: 'string' }, backend: { type: 'string', default: 'wasm' }, threads: { type: 'string', default: '1' } } });

use(neurons, surrogates, pools);
let runDir = values.from;
let trainCommand;
if (runDir === undefined) {
  runDir = join(root, '.tmp', 'draw-model');
  const args = ['apps/train/bin/spikeflow.js', 'train', '--spec', specFile, '--backend', values.backend, '--threads', values.threads, '--out', relative(root, runDir), '--progress', 'lines'];
  trainCommand = `node ${args.join(' ')}`;
  console.log(`training: ${trainCommand}`);
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`training failed (exit ${r.status}): ${trainCommand}`);
} else {
  // The run folder names its own command line.
  const run = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
  trainCommand = ['node', 'apps/train/bin/spikeflow.js', ...run.argv].join(' ');
}

const ckpt = await loadCheckpoint(`file://${join(runDir, 'best')}`);
const trained = await readMetrics(runDir);
for (const f of readdirSync(outDir)) if (/^(model.*\.json|manifest\.json|weights-.*\.bin)$/.test(f)) rmSync(join(outDir, f));
await saveCheckpoint(ckpt.network, `file://${outDir}`, { extra: { epoch: ckpt.meta.epoch } });
ckpt.network.dispose();
// The site loads tfjs's plain layout (model.json + weights) over http: the saved model file becomes
// model.json and the manifest (Node's crash-safe commit record) goes.
const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8'));
renameSync(join(outDir, manifest.model), join(outDir, 'model.json'));
rmSync(join(outDir, 'manifest.json'));
const [weightsFile] = JSON.parse(readFileSync(join(outDir, 'model.json'), 'utf8')).weightsManifest[0].paths;
rmSync(join(outDir, 'training.json'), { force: true });

// The shipped files, read back and tested on the official test split.
const backend = await selectBackend(values.backend, Number(values.threads));
tf.enableProdMode();
const shipped = await loadCheckpoint(`file://${outDir}`);
const { test } = await loadSplits({ dataset: 'fashion-mnist', trainLimit: 1, testLimit: 0, seed: 2020 });
const t0 = performance.now();
const testAccuracy = await evaluate(shipped.network, test, 100);
const seconds = (performance.now() - t0) / 1000;
const parameters = shipped.network.trainableVariables().reduce((n, v) => n + v.size, 0);
shipped.network.dispose();
const weightsBytes = statSync(join(outDir, weightsFile)).size;
const record = {
  model: JSON.parse(readFileSync(join(outDir, 'model.json'), 'utf8')).modelTopology.spikeflowModel.name,
  testAccuracy,
  testImages: test.count,
  testSet: test.source,
  weightsFile,
  weightsBytes,
  parameters,
  trainCommand,
  exportCommand: ['node', 'docs/scripts/train-draw-model.mjs', ...process.argv.slice(2)].join(' '),
  epochs: trained.map(({ epoch, samples, learningRate, trainLoss, trainAccuracy, testAccuracy, imagesPerSecond, elapsedMinutes, tau }) => ({ epoch, samples, learningRate, trainLoss, trainAccuracy, testAccuracy, imagesPerSecond, elapsedMinutes, tau })),
  evaluatedOn: `${backend.name}: ${backend.report.device}`,
  evaluationSeconds: Math.round(seconds * 10) / 10,
  machine: { cpu: cpus()[0]?.model?.trim(), cores: availableParallelism(), node: process.version },
  date: new Date().toISOString(),
};
writeFileSync(join(outDir, 'record.json'), JSON.stringify(record, null, 2) + '\n');
console.log(`wrote ${relative(root, outDir)}: ${weightsFile} (${(weightsBytes / 1024).toFixed(0)} KiB, ${parameters} parameters), test accuracy ${(100 * testAccuracy).toFixed(2)}% on ${test.count} images`);
process.exit(0);
