// Shared by this package's tests: WebGPU through setup(), or a loud skip where there is no adapter.
import * as tf from '@tensorflow/tfjs';
import { use } from '@spikeflow/core';
import { neurons, surrogates } from '@spikeflow/neurons';
import { pools } from '@spikeflow/pooling';
import { setupAdapter, formatAdapter, type AdapterReport } from '../src/index.js';

use(neurons, surrogates, pools);

let report: AdapterReport | undefined;
try {
  report = await setupAdapter();
} catch (e) {
  console.warn(
    `\n*** @spikeflow/backend-webgpu tests SKIPPED: no WebGPU adapter ***\n${(e as Error).message}\n` +
      'CI installs Mesa\'s Vulkan driver (lavapipe) from bookworm-backports so that these tests run there.\n',
  );
}

/** The adapter when WebGPU is available; undefined means skip (already warned). */
export const adapter = report;
export const noGpu = !report;
if (report) console.log(`webgpu tests on ${formatAdapter(report)}`);

/** Runs fn on the cpu backend and returns to webgpu (for oracles computed on the CPU). */
export async function onCpu<R>(fn: () => Promise<R>): Promise<R> {
  await tf.setBackend('cpu');
  try {
    return await fn();
  } finally {
    await tf.setBackend('webgpu');
  }
}

export { tf };
