// Runs the training demo's loop (lib/train-session.ts) in Node on a chosen backend and prints its
// images/s and the step at which held-out accuracy first passes 50%; writes JSON to .tmp/bench-results/
// ($SPIKEFLOW_BENCH_OUT), or with the machine, date and command to the committed bench-results/ with
// --save (or SPIKEFLOW_BENCH_SAVE=1); the Benchmarks page renders its table from there.
// Usage: npx tsx docs/scripts/bench-train-demo.ts [--backend webgpu|wasm|cpu] [--steps N] [--save]
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
// @ts-expect-error: a plain .mjs module, no types
import { benchOutDir, machine, REPO_ROOT } from '@spikeflow/test-support/bench/record.mjs';
import { use } from '@spikeflow/core';
import { selectBackend } from '@spikeflow/core/node';
import { loadFashionMnist } from '@spikeflow/datasets/node';
import { neurons, surrogates } from '@spikeflow/neurons';
import { pools } from '@spikeflow/pooling';
import { TrainSession, type EvalReport, type TrainDemoOptions, type TrainProgress } from '../lib/train-session.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'webgpu' },
    steps: { type: 'string', default: '100' },
    'batch-size': { type: 'string' },
    lr: { type: 'string' },
    'eval-every': { type: 'string' },
    'time-steps': { type: 'string' },
    loss: { type: 'string' },
    save: { type: 'boolean', default: false },
  },
});
const overrides: Partial<TrainDemoOptions> = {};
if (values['batch-size']) overrides.batchSize = Number(values['batch-size']);
if (values.lr) overrides.learningRate = Number(values.lr);
if (values['eval-every']) overrides.evalEvery = Number(values['eval-every']);
if (values.loss) overrides.loss = values.loss as TrainDemoOptions['loss'];
if (values['time-steps']) overrides.timeSteps = Number(values['time-steps']);
const steps = Number(values.steps);
if (!Number.isInteger(steps) || steps < 1) throw new Error(`--steps: expected an integer >= 1, got "${values.steps}"`);
use(neurons, surrogates, pools);
const backend = await selectBackend(values.backend!);
const slice = async (split: 'train' | 'test', count: number) => {
  const set = await loadFashionMnist({ split });
  return { ...set, count, images: set.images.subarray(0, count * 784), labels: set.labels.subarray(0, count) };
};
const [train, test] = await Promise.all([slice('train', 4000), slice('test', 1000)]);
const progress: TrainProgress[] = [];
const evals: Array<Omit<EvalReport, 'sample'>> = [];
const t0 = performance.now();
const session: TrainSession = new TrainSession(train, test, {
  progress: (p) => {
    progress.push(p);
    if (p.step >= steps) void session.pause();
  },
  evaluation: ({ sample: _sample, ...e }) => {
    evals.push(e);
    console.log(`step ${e.step} (${(performance.now() - t0) / 1000 | 0} s): held-out accuracy ${(100 * e.testAccuracy).toFixed(1)}%  tau ${Object.values(e.tau).map((t) => t.toFixed(3)).join(' ')}`);
  },
}, overrides);
await session.start();
const seconds = (performance.now() - t0) / 1000;
// The first report includes kernel compilation: leave it out of the rate.
const steady = progress.slice(1);
const imagesPerSecond = steady.reduce((a, p) => a + p.imagesPerSecond, 0) / Math.max(1, steady.length);
const firstOver50 = evals.find((e) => e.testAccuracy > 0.5)?.step ?? null;
const result = { backend: backend.name, options: session.options, device: backend.report.device, steps: session.step, seconds, imagesPerSecond, firstStepOver50: firstOver50, evals, load: loadavg() };
console.log(`\n| backend | steps | images/s (training) | first step with held-out accuracy > 50% | load (1 min) |\n|---|---:|---:|---:|---:|`);
console.log(`| ${backend.name} | ${session.step} | ${imagesPerSecond.toFixed(1)} | ${firstOver50 ?? 'not reached'} | ${loadavg()[0].toFixed(2)} |`);
// The command as typed from the repository root (tsx runs this file, not node).
const command = ['npx tsx', relative(REPO_ROOT, fileURLToPath(import.meta.url)), ...process.argv.slice(2)].join(' ');
const outDir = benchOutDir(values.save ? ['node', 'x', '--save'] : ['node', 'x'], process.env);
writeFileSync(join(outDir, `docs-train-demo-${backend.name}.json`), JSON.stringify({ machine: machine(), date: new Date().toISOString(), command, ...result }, null, 2) + '\n');
session.dispose();
