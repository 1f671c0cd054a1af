// Which tensors a training step keeps for its backward pass, and which op keeps them: every tensor
// an op saves (tfjs kernels and tf.customGrad ops alike) goes through engine.keep while that op runs,
// so wrapping runKernelFunc (to know the op) and keep (to see the tensor) attributes each saved buffer.
import * as tf from '@tensorflow/tfjs';

const bytesOf = (t) => t.size * (t.dtype === 'bool' ? 1 : t.dtype === 'complex64' ? 8 : 4);

/** Starts recording; `stop()` restores the engine and `holders()` lists the saved buffers still alive. */
export function trackSavedTensors() {
  const engine = tf.engine();
  const ops = [];
  const kept = [];
  const originalRun = engine.runKernelFunc;
  const originalKeep = engine.keep;
  engine.runKernelFunc = function (params) {
    ops.push(params.kernelName ?? 'customGrad');
    try {
      return originalRun.call(this, params);
    } finally {
      ops.pop();
    }
  };
  engine.keep = function (t) {
    if (ops.length > 0) kept.push({ op: ops[ops.length - 1], tensor: t });
    return originalKeep.call(this, t);
  };
  return {
    stop() {
      engine.runKernelFunc = originalRun;
      engine.keep = originalKeep;
    },
    /** Saved buffers alive now, one row per buffer: bytes, shape, dtype, every op holding it, and one tensor on it. */
    holders() {
      const byData = new Map();
      for (const { op, tensor } of kept) {
        if (tensor.isDisposed) continue;
        const row = byData.get(tensor.dataId) ?? { bytes: bytesOf(tensor), shape: tensor.shape, dtype: tensor.dtype, ops: new Set(), tensor };
        row.ops.add(op);
        byData.set(tensor.dataId, row);
      }
      return [...byData.values()].map((r) => ({ ...r, ops: [...r.ops].sort() }));
    },
  };
}

/** Groups holder rows by (ops, dtype, whether the values are spikes) into a table sorted by bytes. */
export function summarizeHolders(rows) {
  const groups = new Map();
  for (const r of rows) {
    // Tiny buffers of 0s and 1s (batch-norm gammas, one-hot labels) are not spikes.
    const kind = r.kind === 'spikes (0/1)' && r.bytes < 4096 ? 'other' : r.kind;
    const key = `${r.ops.join(' + ')} | ${r.dtype} | ${kind ?? ''}`;
    const g = groups.get(key) ?? { ops: r.ops.join(' + '), dtype: r.dtype, kind, bytes: 0, buffers: 0, shapes: new Set() };
    g.bytes += r.bytes;
    g.buffers++;
    g.shapes.add(`[${r.shape.join(',')}]`);
    groups.set(key, g);
  }
  const total = rows.reduce((a, r) => a + r.bytes, 0);
  return [...groups.values()].sort((a, b) => b.bytes - a.bytes).map((g) => ({ ...g, shapes: [...g.shapes].slice(0, 4), share: g.bytes / total }));
}
