#!/usr/bin/env node
// Peak memory of training against the number of time steps T (8, 32, 128), for one PLIF layer
// (forward + backward, M neurons) and for the benchmark CSNN (one training step), on wasm and on
// webgpu, with the fused neuron op and with the reference op (tfjs ops). Each configuration runs in
// its own process, so the wasm heap (which only grows) and the resident set are its own:
//   peak tensors: tf.profile's peakBytes over the step (every tensor tfjs tracks, weights included);
//   wasm heap: the WebAssembly memory after the step (it grows to the peak and never shrinks);
//   GPU pool: webgpu's buffer manager after the step (buffers are pooled, so this is the peak);
//   peak RSS: the process's highest resident set (Node, tfjs, the wasm heap, Dawn's mappings).
// Then, for the CSNN at the largest T, what the step keeps for its backward pass, by the op that
// keeps it, and how much of it is spikes (only 0 and 1, storable as bool: 1 byte instead of 4).
// Usage: node apps/train/bench/memory.bench.mjs [--backends wasm,webgpu] [--ts 8,32,128]
//          [--workloads layer,csnn] [--impls fused,reference] [--m 65536] [--batch 4]
//          [--spikes-as-bool]: layers keep the spikes they consume as bool (setSpikesSavedAsBool; off by default)
//          [--save]: into the committed bench-results/ (README table), as memory.json or memory-bool.json
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchOutDir, benchRecord } from '@spikeflow/test-support/bench/record.mjs';

const MB = 2 ** 20;
const { values: flags } = parseArgs({
  options: {
    backends: { type: 'string', default: 'wasm,webgpu' },
    ts: { type: 'string', default: '8,32,128' },
    workloads: { type: 'string', default: 'layer,csnn' },
    impls: { type: 'string', default: 'fused,reference' },
    m: { type: 'string', default: String(2 ** 16) },
    batch: { type: 'string', default: '4' },
    child: { type: 'string' },
    explain: { type: 'boolean', default: false },
    'spikes-as-bool': { type: 'boolean', default: false },
    save: { type: 'boolean', default: false },
  },
});
const list = (s) => s.split(',').map((v) => v.trim()).filter(Boolean);
const ints = (flag, s) => list(s).map((v) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`memory.bench: --${flag}: expected integers >= 1, got "${v}"`);
    process.exit(2);
  }
  return n;
});
const M = ints('m', flags.m)[0];
const BATCH = ints('batch', flags.batch)[0];

if (flags.child) await child(JSON.parse(flags.child));
else await parent();

function spawnChild(config, explain = false) {
  const args = ['--expose-gc', fileURLToPath(import.meta.url), '--child', JSON.stringify(config), '--m', String(M), '--batch', String(BATCH)];
  if (explain) args.push('--explain');
  if (flags['spikes-as-bool']) args.push('--spikes-as-bool');
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 1_200_000, maxBuffer: 64 * MB });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('RESULT '));
  if (line) return JSON.parse(line.slice('RESULT '.length));
  return { ...config, error: ((r.stderr ?? '').trim().split('\n').pop() || `exit ${r.status ?? r.signal}`).slice(0, 200) };
}

async function parent() {
  const load = loadavg();
  const rows = [];
  for (const backend of list(flags.backends)) {
    for (const workload of list(flags.workloads)) {
      for (const T of ints('ts', flags.ts)) {
        for (const impl of list(flags.impls)) {
          const row = spawnChild({ backend, workload, T, impl });
          rows.push(row);
          console.log(row.error ? `${backend} ${workload} T=${T} ${impl}: failed: ${row.error}` : `${backend} ${workload} T=${T} ${impl}: peak tensors ${row.peakTensorMB.toFixed(1)} MB, RSS ${row.peakRssMB.toFixed(0)} MB`);
        }
      }
    }
  }
  const f = (v, d = 1) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '-');
  console.log(`\nPeak memory against T (one layer: PLIF, M = ${M} neurons, forward + backward; CSNN: one training step at batch ${BATCH},`);
  console.log(`reduced from the speed benchmark's 64 so that T = 128 fits on every backend here); load ${load.map((l) => l.toFixed(1)).join(' ')}`);
  console.log('| backend | workload | T | neuron op | peak tensors MB | tensors before MB | wasm heap MB | GPU pool MB | peak RSS MB | RSS before MB |');
  console.log('|---|---|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    if (r.error) console.log(`| ${r.backend} | ${r.workload} | ${r.T} | ${r.impl} | failed: ${r.error} | | | | | |`);
    else console.log(`| ${r.backend} | ${r.workload} | ${r.T} | ${r.impl} | ${f(r.peakTensorMB)} | ${f(r.tensorsBeforeMB)} | ${f(r.wasmHeapMB)} | ${f(r.gpuPoolMB)} | ${f(r.peakRssMB, 0)} | ${f(r.rssBeforeMB, 0)} |`);
  }

  // What the CSNN step keeps for backward at the largest T, on the first backend.
  const T = Math.max(...ints('ts', flags.ts));
  let explained;
  if (list(flags.workloads).includes('csnn')) {
    explained = spawnChild({ backend: list(flags.backends)[0], workload: 'csnn', T, impl: list(flags.impls)[0] }, true);
    if (explained.error) console.log(`\nsaved tensors: failed: ${explained.error}`);
    else {
      console.log(`\nWhat the CSNN step (T=${T}, batch ${BATCH}, ${explained.backend}, ${explained.impl} neuron op) keeps for its backward pass, by the ops holding each buffer:`);
      console.log('| held by | dtype | values | MB | share | buffers | shapes |');
      console.log('|---|---|---|---:|---:|---:|---|');
      for (const g of explained.holders) console.log(`| ${g.ops} | ${g.dtype} | ${g.kind} | ${f(g.bytes / MB)} | ${f(100 * g.share)}% | ${g.buffers} | ${g.shapes.join(' ')} |`);
      const spikes = explained.holders.filter((g) => g.kind === 'spikes (0/1)' && g.dtype === 'float32').reduce((a, g) => a + g.bytes, 0);
      console.log(`saved for backward: ${f(explained.savedBytes / MB)} MB, of which float32 spikes ${f(spikes / MB)} MB (${f((100 * spikes) / explained.savedBytes)}%): as bool they would take ${f(spikes / 4 / MB)} MB.`);
      console.log(`tensors: ${f(explained.startBytes / MB)} MB before the step (weights, optimiser, input), ${f(explained.peakBytes / MB)} MB at the peak of the step. ` +
        'Beyond the saved tensors, the peak holds the gradient of every intermediate tensor (tfjs frees them, and the saved tensors, only when the whole backward pass ends) and the temporaries of the running op.');
    }
  }
  const out = benchOutDir();
  // One file per spike storage, so the float32 and bool runs are kept side by side.
  const spikesAsBool = flags['spikes-as-bool'];
  const name = spikesAsBool ? 'memory-bool.json' : 'memory.json';
  writeFileSync(join(out, name), JSON.stringify(benchRecord({ date: new Date().toISOString(), load, M, batch: BATCH, spikesAsBool, rows, savedForBackward: explained }), null, 2));
}

/** 'spikes (0/1)' when every value is 0 or 1, else 'other'; 'unread' where the backend cannot read synchronously. */
function kindOf(tensor) {
  let values;
  try {
    values = tensor.dataSync();
  } catch {
    return 'unread';
  }
  for (let i = 0; i < values.length; i++) if (values[i] !== 0 && values[i] !== 1) return 'other';
  return 'spikes (0/1)';
}

async function child({ backend, workload, T, impl }) {
  const tf = await import('@tensorflow/tfjs');
  const core = await import('@spikeflow/core');
  const { compileNeuron, unregisterNeuronKernel } = await import('@spikeflow/core/backend');
  const { selectBackend } = await import('@spikeflow/core/node');
  const { neurons, surrogates } = await import('@spikeflow/neurons');
  const { pools } = await import('@spikeflow/pooling');
  const { backendThreads } = await import('@spikeflow/test-support/bench/threads.mjs');
  core.use(neurons, surrogates, pools);
  await selectBackend(backend);
  tf.enableProdMode();
  if (flags['spikes-as-bool']) core.setSpikesSavedAsBool(backend, true);
  if (impl === 'reference') unregisterNeuronKernel(backend);
  else if (impl !== 'fused') throw new Error(`--impls: unknown "${impl}" (fused, reference)`);

  let step;
  let cleanup;
  if (workload === 'layer') {
    const o = core.validate({ input: { shape: [1] }, layers: [{ kind: 'neuron', neuron: 'plif', detachReset: true, surrogate: { kind: 'atan' } }] }).layers[0];
    const n = compileNeuron(core.registry.neurons.get('plif'), core.registry.surrogates.get('atan'), o, o.surrogate);
    const x = tf.randomUniform([T, M], -0.5, 1.5, 'float32', 1);
    const gS = tf.randomNormal([T, M], 0, 1, 'float32', 2);
    const w = tf.scalar(n.paramInit[0]);
    step = () => tf.tidy(() => {
      const [gx, gw] = tf.grads((xi, wi) => tf.sum(tf.mul(core.runNeuron(n, xi, [wi], false, impl === 'reference' ? 'reference' : undefined), gS)))([x, w]);
      return tf.add(tf.sum(gx), gw);
    });
    cleanup = () => tf.dispose([x, gS, w]);
  } else if (workload === 'csnn') {
    const { snnTrainer, randomBatch, csnnSpec } = await import('@spikeflow/test-support/bench/csnn.mjs');
    const { x, labels } = randomBatch(BATCH);
    if (flags.explain) {
      // Forward under the gradient tape, then read what is kept before backward runs.
      const { trackSavedTensors, summarizeHolders } = await import('@spikeflow/test-support/bench/saved-tensors.mjs');
      const net = core.build(csnnSpec(T), { seed: 1 });
      const tracker = trackSavedTensors();
      let rows;
      const startBytes = tf.memory().numBytes;
      const profile = await tf.profile(() => {
        const { value, grads } = tf.variableGrads(() => {
          const { output } = net.forward(x, { training: true, seed: 1 });
          const rate = tf.mean(output.reshape([T, BATCH, -1]), 0);
          const loss = tf.losses.meanSquaredError(tf.oneHot(labels, 10), rate);
          // Read now, while the saved buffers are alive: which of them hold only 0s and 1s (spikes).
          rows = tracker.holders().map(({ tensor, ...r }) => ({ ...r, kind: kindOf(tensor) }));
          return loss;
        });
        tf.dispose([value, ...Object.values(grads)]);
        return [];
      });
      tracker.stop();
      console.log('RESULT ' + JSON.stringify({
        backend, workload, T, impl, batch: BATCH, threads: backendThreads(backend),
        savedBytes: rows.reduce((a, r) => a + r.bytes, 0),
        startBytes, peakBytes: profile.peakBytes,
        holders: summarizeHolders(rows),
      }));
      process.exit(0);
    }
    const trainer = snnTrainer(T);
    step = () => trainer.step(x, labels);
    cleanup = () => {
      trainer.dispose();
      tf.dispose([x, labels]);
    };
  } else {
    throw new Error(`--workloads: unknown "${workload}" (layer, csnn)`);
  }

  globalThis.gc?.();
  const tensorsBefore = tf.memory().numBytes;
  const rssBefore = process.memoryUsage().rss;
  const profile = await tf.profile(async () => {
    const r = step();
    await r.data();
    r.dispose();
  });
  const b = tf.backend();
  const result = {
    backend, workload, T, impl,
    threads: backendThreads(backend),
    batch: workload === 'csnn' ? BATCH : undefined,
    M: workload === 'layer' ? M : undefined,
    peakTensorMB: profile.peakBytes / MB,
    tensorsBeforeMB: tensorsBefore / MB,
    wasmHeapMB: backend === 'wasm' ? b.wasm.HEAPU8.buffer.byteLength / MB : undefined,
    gpuPoolMB: backend === 'webgpu' ? b.bufferManager.numBytesAllocated / MB : undefined,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    rssBeforeMB: rssBefore / MB,
  };
  cleanup();
  console.log('RESULT ' + JSON.stringify(result));
  process.exit(0);
}
