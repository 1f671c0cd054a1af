// Per-kernel wall time of everything that goes through tf.engine().runKernel. Kernels on cpu and
// wasm run synchronously, so the time around the call is the kernel's own time.
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';

export function startKernelTimer() {
  const engine = tf.engine();
  const original = engine.runKernel;
  const totals = new Map();
  engine.runKernel = function (name, inputs, attrs) {
    const t0 = performance.now();
    try {
      return original.call(this, name, inputs, attrs);
    } finally {
      const entry = totals.get(name) ?? { calls: 0, ms: 0 };
      entry.calls++;
      entry.ms += performance.now() - t0;
      totals.set(name, entry);
    }
  };
  return {
    /** Totals per kernel name, largest first; `per` divides (e.g. by the number of steps). */
    stop(per = 1) {
      engine.runKernel = original;
      return [...totals]
        .map(([kernel, e]) => ({ kernel, calls: e.calls / per, ms: e.ms / per }))
        .sort((a, b) => b.ms - a.ms);
    },
  };
}
