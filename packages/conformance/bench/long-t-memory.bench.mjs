#!/usr/bin/env node
// Memory and speed of one training step against T, with and without memory-lean BPTT
// (checkpointEvery: neuron layers keep their state only every k steps and recompute the rest in
// the backward pass). Each (T, option) runs in its own process, so its resident-set high-water
// mark is its own. Reports the tensor high-water mark of a step (tf.profile's peakBytes), the
// tensors alive at the end of the forward pass (what the backward pass holds), the process's
// max RSS, and the median step time.
// Usage: node --expose-gc packages/conformance/bench/long-t-memory.bench.mjs
//   [--backend wasm|cpu|webgpu] [--t 4,16,64,128] [--batch 4] [--k sqrt|<int>] [--reps 3] [--input 16]
//   [--bool]: also checkpointEvery with spikes kept as bool for backward (setSpikesSavedAsBool)
//   [--breakdown]: also what is alive at each step's high-water mark, by layer and holder
//   [--baseline FILE]: an earlier long-t-memory.json whose rows without the option are the "before"
//     figures the table compares with (FILE's own baseline where it has one, so "before" stays the first)
// Writes bench-results/long-t-memory.json (SPIKEFLOW_BENCH_OUT to change the folder).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { benchOutDir, benchRecord } from '@spikeflow/test-support/bench/record.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};

/** The paper's network shape, small: conv-BN-PLIF-pool twice, then dense-PLIF twice. */
const spec = (size, T) => ({
  input: { shape: [size, size, 1] },
  timeSteps: T,
  encoder: { kind: 'direct' },
  layers: [
    { kind: 'conv2d', filters: 16, kernelSize: 3, padding: 'same', useBias: false },
    { kind: 'batchNorm' },
    { kind: 'neuron', neuron: 'plif', initTau: 2, detachReset: true, surrogate: { kind: 'atan', alpha: 2 } },
    { kind: 'pool', pool: 'max', size: 2, stride: 2 },
    { kind: 'conv2d', filters: 16, kernelSize: 3, padding: 'same', useBias: false },
    { kind: 'batchNorm' },
    { kind: 'neuron', neuron: 'plif', initTau: 2, detachReset: true, surrogate: { kind: 'atan', alpha: 2 } },
    { kind: 'pool', pool: 'max', size: 2, stride: 2 },
    { kind: 'flatten' },
    { kind: 'dense', units: 64, useBias: false },
    { kind: 'neuron', neuron: 'plif', initTau: 2, detachReset: true, surrogate: { kind: 'atan', alpha: 2 } },
    { kind: 'dense', units: 10, useBias: false },
    { kind: 'neuron', neuron: 'plif', initTau: 2, detachReset: true, surrogate: { kind: 'atan', alpha: 2 } },
  ],
});

/** Bytes of the distinct data buffers of `tensors`. */
function uniqueBytes(tf, tensors) {
  const seen = new Map();
  for (const t of tensors) if (!t.isDisposed) seen.set(t.dataId, t.size * (t.dtype === 'bool' ? 1 : 4));
  return [...seen.values()].reduce((a, b) => a + b, 0);
}

/** One (T, k) in this process: prints one JSON line. */
async function child({ backend, T, k, bool, batch, reps, size, breakdown }) {
  const tf = await import('@tensorflow/tfjs');
  const { build, runNeuron, setSpikesSavedAsBool, Trainer, use } = await import('@spikeflow/core');
  const { neurons, surrogates } = await import('@spikeflow/neurons');
  const { pools } = await import('@spikeflow/pooling');
  use(neurons, surrogates, pools);
  if (backend === 'cpu') await (await import('@spikeflow/backend-cpu')).setup();
  if (backend === 'wasm') await (await import('@spikeflow/backend-wasm')).setup();
  if (backend === 'webgpu') await (await import('@spikeflow/backend-webgpu')).setup({ setBackend: false });
  await tf.setBackend(backend);
  await tf.ready();
  setSpikesSavedAsBool(backend, bool);
  const net = build(spec(size, T), { seed: 1, checkpointEvery: k });
  const trainer = new Trainer(net, { optimizer: { kind: 'adam', learningRate: 1e-3 }, loss: 'mse' });
  const x = tf.randomUniform([batch, size, size, 1], 0, 1, 'float32', 3);
  const labels = tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32');
  const run = async () => {
    const { loss, rate } = trainer.trainStep(x, labels, { checks: false });
    await loss.data();
    tf.dispose([loss, rate]);
  };
  await run(); // warm-up: code generation, optimiser slots
  const before = tf.memory().numBytes;
  // What a step holds for its backward pass: the tensors the gradient tape saved once the forward
  // pass has run, each data buffer once (tfjs's numBytes counts a clone that shares its buffer again).
  let heldForBackward = 0;
  const { watchTensorPeak } = await import('@spikeflow/test-support/bench/tensor-peak.mjs');
  const watch = watchTensorPeak({ net, breakdown });
  const profile = await tf.profile(async () => {
    const g = tf.variableGrads(() => {
      const { output } = net.forward(x, { training: true, seed: 1 });
      const loss = tf.mean(tf.square(tf.sub(tf.mean(output, 0), tf.oneHot(labels, 10))));
      heldForBackward = uniqueBytes(tf, tf.engine().state.activeTape.flatMap((node) => node.saved ?? []));
      return loss;
    }, net.trainableVariables());
    tf.dispose([g.value, ...Object.values(g.grads)]);
  });
  watch.stop();
  const atAllocation = watch.result();
  const times = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  // The first neuron layer's op alone: the state it keeps for backward beyond its input and output.
  const layer = net.layers.find((l) => l.neuron);
  const M = batch * size * size * 16;
  const xs = tf.randomUniform([T, M], -0.5, 1.5, 'float32', 4);
  const params = layer.variables.map((v) => v.variable);
  let neuronStateKept = 0;
  const op = tf.grads((xi) => {
    const out = runNeuron(layer.neuron, xi, params, false, undefined, { checkpointEvery: k });
    // The op's saved tensors other than its inputs: the state tape, or the checkpoints.
    const inputs = new Set([xi.dataId, ...params.map((p) => p.dataId)]);
    const tape = tf.engine().state.activeTape;
    neuronStateKept = uniqueBytes(tf, (tape[tape.length - 1].saved ?? []).filter((t) => !inputs.has(t.dataId)));
    return tf.sum(out);
  });
  tf.dispose([op([xs]), xs]);
  const row = {
    backend, T, checkpointEvery: k, spikesAsBool: bool, batch,
    peakBytes: profile.peakBytes - before,
    allocationPeakBytes: atAllocation.peakBytes,
    ...(breakdown ? { peakBreakdown: { tensorBytes: atAllocation.tensorBytes, bufferBytes: atAllocation.bufferBytes, rows: atAllocation.rows.filter((r) => r.bytes >= 65536) } } : {}),
    heldForBackwardBytes: heldForBackward,
    neuronStateKeptBytes: neuronStateKept,
    neuronLayerSize: M,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    medianMs: times[Math.floor(times.length / 2)],
    imagesPerSecond: (1000 * batch) / times[Math.floor(times.length / 2)],
  };
  process.stdout.write(`RESULT ${JSON.stringify(row)}\n`);
  process.exit(0);
}

if (process.argv.includes('--child')) {
  await child(JSON.parse(arg('child')));
} else {
  const backend = arg('backend', 'wasm');
  const Ts = arg('t', '4,16,64,128').split(',').map(Number);
  const batch = Number(arg('batch', 4));
  const reps = Number(arg('reps', 3));
  const size = Number(arg('input', 16));
  const kArg = arg('k', 'sqrt');
  // k near sqrt(T) balances the checkpoints kept (T / k) against one segment recomputed (k).
  // --bool: a third row per T, checkpointEvery with spikes kept as bool (setSpikesSavedAsBool).
  const withBool = process.argv.includes('--bool');
  const breakdown = process.argv.includes('--breakdown');
  const baselineFile = arg('baseline');
  let baseline;
  if (baselineFile) {
    const earlier = JSON.parse(readFileSync(baselineFile, 'utf8'));
    baseline = earlier.baseline ?? {
      date: earlier.date,
      command: earlier.command,
      rows: earlier.rows.filter((r) => r.checkpointEvery === 0 && !r.spikesAsBool).map((r) => ({ T: r.T, peakBytes: r.peakBytes, heldForBackwardBytes: r.heldForBackwardBytes })),
    };
  }
  const kFor = (T) => (kArg === 'sqrt' ? Math.max(1, Math.round(Math.sqrt(T))) : Number(kArg));
  const self = fileURLToPath(import.meta.url);
  const rows = [];
  for (const T of Ts) {
    for (const [k, bool] of [[0, false], [kFor(T), false], ...(withBool ? [[kFor(T), true]] : [])]) {
      const job = { backend, T, k, bool, batch, reps, size, breakdown };
      const r = spawnSync(process.execPath, ['--expose-gc', self, '--child', JSON.stringify(job)], { encoding: 'utf8', maxBuffer: 1 << 24 });
      const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (!line) {
        console.error(`T=${T} k=${k}: no result (exit ${r.status})\n${r.stderr.slice(-2000)}`);
        process.exit(1);
      }
      rows.push({ ...JSON.parse(line.slice(7)), load1: loadavg()[0] });
      const last = rows[rows.length - 1];
      console.error(`T=${T} checkpointEvery=${k}${bool ? ' spikes as bool' : ''}: peak ${(last.peakBytes / 2 ** 20).toFixed(1)} MiB (at any allocation ${(last.allocationPeakBytes / 2 ** 20).toFixed(1)}), ${last.medianMs.toFixed(0)} ms/step`);
      if (last.peakBreakdown) {
        const b = last.peakBreakdown;
        console.error(`  alive at the high-water mark: ${(b.tensorBytes / 2 ** 20).toFixed(2)} MiB of tensors, ${(b.bufferBytes / 2 ** 20).toFixed(2)} MiB of distinct buffers; from 64 KiB:`);
        for (const r of b.rows) console.error(`  ${(r.bytes / 2 ** 20).toFixed(2).padStart(7)} MiB  ${r.what}  [${r.shape.join(', ')}] ${r.dtype}${r.tensors > 1 ? ` (${r.tensors} tensors)` : ''}`);
      }
    }
  }
  const mib = (b) => (b / 2 ** 20).toFixed(2);
  console.log(`\none training step on ${backend}, batch ${batch}, ${size}x${size} input, 4 PLIF layers (median of ${reps} steps; load = 1-minute load average)`);
  console.log('| T | checkpointEvery | tensor peak MiB | at any allocation MiB | held for backward MiB | max RSS MiB | ms / step | images/s | peak vs off | peak vs off before | first PLIF op alone: state kept for backward MiB | load |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const base = rows.find((b) => b.T === r.T && b.checkpointEvery === 0 && !b.spikesAsBool);
    const before = baseline?.rows.find((b) => b.T === r.T);
    const ratio = r.peakBytes / base.peakBytes;
    console.log(`| ${r.T} | ${r.checkpointEvery || 'off'}${r.spikesAsBool ? ' + bool spikes' : ''} | ${mib(r.peakBytes)} | ${mib(r.allocationPeakBytes)} | ${mib(r.heldForBackwardBytes)} | ${mib(r.maxRssBytes)} | ${r.medianMs.toFixed(0)} | ${r.imagesPerSecond.toFixed(1)} | ${ratio.toFixed(2)} | ${before ? (r.peakBytes / before.peakBytes).toFixed(2) : '-'} | ${mib(r.neuronStateKeptBytes)} | ${r.load1.toFixed(1)} |`);
  }
  const out = benchOutDir();
  writeFileSync(join(out, 'long-t-memory.json'), JSON.stringify(benchRecord({ date: new Date().toISOString(), backend, batch, size, reps, ...(baseline ? { baseline } : {}), rows }), null, 2));
  console.log(`\nwritten: ${join(out, 'long-t-memory.json')}`);
}
