// The tensor high-water mark of a training step at every tensor allocation, and what is alive there.
// tf.profile's peakBytes reads tfjs's byte count after each kernel; tensors a custom gradient makes
// and frees between two kernels (a neuron op's backward pass) are missed by it. Wrapping the engine's
// trackTensor sees every allocation. Like peakBytes, it counts each tensor handle (a clone or a
// reshape that shares its buffer counts again); the breakdown also gives the distinct buffers.
//
// Each live tensor is attributed to where it was made: a layer's forward pass ("L2 neuron"), a
// gradient of an op recorded in a layer ("backward of L2 neuron"), or kept by an op of a layer for
// its gradient ("kept by L3 pool").
import * as tf from '@tensorflow/tfjs';

const bytesOf = (t) => t.size * (t.dtype === 'bool' ? 1 : t.dtype === 'complex64' ? 8 : 4);

/**
 * Starts watching. `net` (a built Network, optional) names the layers. Returns { stop(), result() }:
 * result() gives { peakBytes (above the bytes alive at the start), atBytes, rows } with rows
 * grouped by (what, shape, dtype), largest first, only when `breakdown` is asked for.
 */
export function watchTensorPeak({ net, breakdown = false } = {}) {
  const engine = tf.engine();
  const start = engine.state.numBytes;
  const labels = ['outside the layers'];
  const live = new Map();
  const keptBy = new Map();
  let peak = start;
  let snapshot = [];
  const restore = [];
  const patch = (obj, name, make) => {
    const original = obj[name];
    obj[name] = make(original);
    restore.push(() => (obj[name] = original));
  };
  patch(engine, 'trackTensor', (original) => function (t, backend) {
    const r = original.call(this, t, backend);
    if (breakdown && !(t instanceof tf.Variable)) live.set(t.id, { tensor: t, where: labels[labels.length - 1] });
    if (this.state.numBytes > peak) {
      peak = this.state.numBytes;
      if (breakdown) snapshot = [...live.values()].filter((e) => !e.tensor.isDisposed).map((e) => ({ ...e, kept: keptBy.get(e.tensor.id) }));
    }
    return r;
  });
  if (breakdown) {
    patch(engine, 'disposeTensor', (original) => function (t) {
      live.delete(t.id);
      return original.call(this, t);
    });
    patch(engine, 'addTapeNode', (original) => function (kernelName, inputs, outputs, gradientsFunc, saved, attrs) {
      const where = labels[labels.length - 1];
      original.call(this, kernelName, inputs, outputs, gradientsFunc, saved, attrs);
      for (const s of saved ?? []) keptBy.set(s.id, where);
      const node = this.state.activeTape[this.state.activeTape.length - 1];
      const gradient = node.gradient;
      if (!gradient) return;
      const inBackward = (f) => {
        labels.push(`backward of ${where}`);
        try {
          return f();
        } finally {
          labels.pop();
        }
      };
      node.gradient = (dys) => inBackward(() => {
        const thunks = gradient(dys);
        return Object.fromEntries(Object.entries(thunks).map(([k, f]) => [k, () => inBackward(f)]));
      });
    });
    for (const [i, layer] of (net?.layers ?? []).entries()) {
      patch(layer, 'apply', (original) => function (...args) {
        labels.push(`L${i} ${layer.kind}`);
        try {
          return original.apply(this, args);
        } finally {
          labels.pop();
        }
      });
    }
  }
  return {
    stop() {
      for (const r of restore.reverse()) r();
    },
    result() {
      const groups = new Map();
      const buffers = new Map();
      for (const e of snapshot) {
        const what = e.kept ? `kept by ${e.kept}` : e.where;
        const key = `${what}|${e.tensor.shape.join('x')}|${e.tensor.dtype}`;
        const g = groups.get(key) ?? { what, shape: e.tensor.shape, dtype: e.tensor.dtype, tensors: 0, bytes: 0 };
        g.tensors++;
        g.bytes += bytesOf(e.tensor);
        groups.set(key, g);
        buffers.set(e.tensor.dataId, bytesOf(e.tensor));
      }
      return {
        peakBytes: peak - start,
        ...(breakdown ? {
          tensorBytes: snapshot.reduce((a, e) => a + bytesOf(e.tensor), 0),
          bufferBytes: [...buffers.values()].reduce((a, b) => a + b, 0),
          rows: [...groups.values()].sort((a, b) => b.bytes - a.bytes),
        } : {}),
      };
    },
  };
}
