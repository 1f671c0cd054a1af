// Conv2DBackpropFilter on webgpu at the benchmark CSNN's shapes (T folded into the batch):
// spikeflow's split-K kernel against tfjs's own, run alternately, wall and process CPU ms (on a
// software adapter the GPU's work is this process's CPU time). Prints a table, writes JSON.
// Usage: node packages/backend-webgpu/bench/conv-filter-grad.bench.mjs [--reps 5] [--batch 256]
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { registerKernels } from '@spikeflow/core/backend';
import { conv2DBackpropFilterConfig, formatAdapter, setupAdapter, tfjsFilterGradConfig } from '@spikeflow/backend-webgpu';
import { printTable } from './table.mjs';
import { benchOutDir, benchRecord } from '@spikeflow/test-support/bench/record.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const quick = process.env.SPIKEFLOW_BENCH_QUICK === '1';
const reps = Number(arg('reps', quick ? 2 : 5));
const batch = Number(arg('batch', quick ? 64 : 256)); // T = 4 x batch 64
const adapter = await setupAdapter();
const kernels = { spikeflow: conv2DBackpropFilterConfig(), tfjs: tfjsFilterGradConfig() };
const shapes = [
  { name: 'conv1 3x3 1->32, 28x28', x: [batch, 28, 28, 1], filter: [3, 3, 1, 32] },
  { name: 'conv2 3x3 32->32, 14x14', x: [batch, 14, 14, 32], filter: [3, 3, 32, 32] },
];

const load = loadavg()[0];
const rows = [];
for (const s of shapes) {
  const x = tf.randomNormal(s.x, 0, 1, 'float32', 1);
  const dy = tf.randomNormal([...s.x.slice(0, 3), s.filter[3]], 0, 1, 'float32', 2);
  const run = async () => {
    const g = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: s.filter });
    await g.data();
    g.dispose();
  };
  const times = { spikeflow: [], tfjs: [] };
  for (const k of Object.keys(kernels)) {
    registerKernels([kernels[k]], { replace: true });
    await run(); // compile
  }
  for (let r = 0; r < reps; r++) {
    for (const k of Object.keys(kernels)) {
      registerKernels([kernels[k]], { replace: true });
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await run();
      const c = process.cpuUsage(c0);
      times[k].push({ wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 });
    }
  }
  tf.dispose([x, dy]);
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const row = { shape: s.name, x: s.x, filter: s.filter };
  for (const k of Object.keys(kernels)) row[k] = { wallMs: med(times[k].map((t) => t.wall)), cpuMs: med(times[k].map((t) => t.cpu)) };
  row.speedupWall = row.tfjs.wallMs / row.spikeflow.wallMs;
  row.speedupCpu = row.tfjs.cpuMs / row.spikeflow.cpuMs;
  rows.push(row);
}
registerKernels([kernels.spikeflow], { replace: true });

printTable(`Conv2DBackpropFilter on ${formatAdapter(adapter)}, batch ${batch}, median of ${reps} (load ${load.toFixed(2)})`,
  ['shape', 'spikeflow wall ms', 'tfjs wall ms', 'wall speedup', 'spikeflow CPU ms', 'tfjs CPU ms', 'CPU speedup'],
  rows.map((r) => [r.shape, r.spikeflow.wallMs.toFixed(1), r.tfjs.wallMs.toFixed(1), `${r.speedupWall.toFixed(2)}x`, r.spikeflow.cpuMs.toFixed(0), r.tfjs.cpuMs.toFixed(0), `${r.speedupCpu.toFixed(2)}x`]));
const out = benchOutDir();
writeFileSync(join(out, 'conv-filter-grad.json'), JSON.stringify(benchRecord({ adapter, batch, reps, load, rows, date: new Date().toISOString() }), null, 2));
console.log(`wrote ${join(out, 'conv-filter-grad.json')}`);
process.exit(0);
