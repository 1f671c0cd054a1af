// The fused-vs-reference table of one PLIF layer (the paper's layer) on webgpu: forward + backward
// over all T through the fused op (one dispatch each way) and through the reference op (tfjs ops,
// step by step), at N neurons and T steps. The goal: fused >= 5x the reference at T = 8 and >= 25x
// at T = 128 (N = 2^20). Where [T, N] floats exceed the adapter's maxStorageBufferBindingSize no
// WebGPU program can bind the layer's input, so that row runs at the largest N that fits and says so.
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { registry, runNeuron, validate } from '@spikeflow/core';
import { compileNeuron } from '@spikeflow/core/backend';
import { printTable } from './table.mjs';

export const LAYER_GOALS = { 8: 5, 128: 25 };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One forward + backward; reads only dL/dw (one scalar), which waits for the whole queue. */
function layerStep(plif, x, w, gS, impl) {
  return async () => {
    const [gx, gw] = tf.grads((xi, wi) => runNeuron(plif, xi, [wi], false, impl))([x, w], gS);
    await gw.data();
    tf.dispose([gx, gw]);
  };
}

async function timeAlternately(fns, reps) {
  for (const f of Object.values(fns)) await f(); // compile, buffer pools
  const t = Object.fromEntries(Object.keys(fns).map((k) => [k, { wall: [], cpu: [] }]));
  for (let r = 0; r < reps; r++) {
    for (const [k, f] of Object.entries(fns)) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await f();
      const c = process.cpuUsage(c0);
      t[k].wall.push(performance.now() - t0);
      t[k].cpu.push((c.user + c.system) / 1000);
    }
  }
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, { wallMs: median(v.wall), cpuMs: median(v.cpu) }]));
}

/** Runs the table on the current webgpu backend; returns its rows (also printed). */
export async function layerTable({ Ts = [8, 32, 128], log2N = 20, reps = 3, title = '' } = {}) {
  const opt = validate({ input: { shape: [1] }, layers: [{ kind: 'neuron', neuron: 'plif', detachReset: true, surrogate: { kind: 'atan' } }] }).layers[0];
  const plif = compileNeuron(registry.neurons.get('plif'), registry.surrogates.get('atan'), opt, opt.surrogate);
  const limit = tf.backend().device.limits.maxStorageBufferBindingSize;
  const rows = [];
  for (const T of Ts) {
    let n = log2N;
    while (n > 10 && 4 * T * 2 ** n > limit) n--;
    const N = 2 ** n;
    const x = tf.randomUniform([T, N], -0.5, 1.5, 'float32', 1);
    const gS = tf.randomNormal([T, N], 0, 1, 'float32', 2);
    const w = tf.scalar(plif.paramInit[0]);
    const big = T * N >= 2 ** 24;
    const r = await timeAlternately({ fused: layerStep(plif, x, w, gS), reference: layerStep(plif, x, w, gS, 'reference') }, big ? Math.min(reps, 2) : reps);
    tf.dispose([x, gS, w]);
    const row = {
      T, N, requestedN: 2 ** log2N,
      note: n < log2N ? `N = 2^${n}: [T, 2^${log2N}] floats exceed the adapter's ${(limit / 2 ** 20).toFixed(0)} MiB binding limit` : '',
      fusedMs: r.fused.wallMs, referenceMs: r.reference.wallMs, fusedCpuMs: r.fused.cpuMs, referenceCpuMs: r.reference.cpuMs,
      speedup: r.reference.wallMs / r.fused.wallMs, cpuSpeedup: r.reference.cpuMs / r.fused.cpuMs,
      goal: LAYER_GOALS[T] ?? null,
      // Neuron-steps per second through the fused op, forward + backward.
      fusedGNeuronStepsPerSec: (T * N) / r.fused.wallMs / 1e6,
    };
    row.meetsGoal = row.goal === null ? null : row.speedup >= row.goal;
    rows.push(row);
  }
  printTable(`PLIF layer forward + backward, fused vs reference op${title ? `, ${title}` : ''} (median ms, wall and process CPU)`,
    ['T', 'N', 'fused ms', 'reference ms', 'speedup', 'CPU ms fused / ref', 'CPU speedup', 'goal', 'fused G neuron-steps/s', 'note'],
    rows.map((r) => [r.T, `2^${Math.log2(r.N)}`, r.fusedMs.toFixed(1), r.referenceMs.toFixed(1), `${r.speedup.toFixed(1)}x`,
      `${r.fusedCpuMs.toFixed(0)} / ${r.referenceCpuMs.toFixed(0)}`, `${r.cpuSpeedup.toFixed(1)}x`,
      r.goal === null ? '' : `>= ${r.goal}x: ${r.meetsGoal ? 'met' : 'missed'}`, r.fusedGNeuronStepsPerSec.toFixed(3), r.note]));
  return rows;
}
