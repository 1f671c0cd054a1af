// What follows the accumulation of a conv or dense layer, per output channel: its bias, then the
// batch norm right after it (folded into this pass). Both are computed in float32 exactly as the
// float network computes them (a bias add; then tfjs's batch norm, offset + (x - mean) * scale /
// sqrt(variance + epsilon)), so the values the neuron sees are bit-identical. Folding the batch
// norm into the weights instead would change their rounding.
const f = Math.fround;

export interface BatchNormValues {
  mean: Float32Array;
  variance: Float32Array;
  gamma: Float32Array;
  beta: Float32Array;
  epsilon: number;
}

export interface Epilogue {
  /** Applies to `channels` values of `out` starting at `at`. */
  apply(out: Float32Array, at: number): void;
}

export function makeEpilogue(channels: number, bias?: Float32Array, bn?: BatchNormValues): Epilogue | undefined {
  if (!bias && !bn) return undefined;
  const norm = new Float32Array(channels);
  if (bn) for (let c = 0; c < channels; c++) norm[c] = Math.sqrt(f(bn.variance[c] + f(bn.epsilon)));
  return {
    apply(out, at) {
      for (let c = 0; c < channels; c++) {
        let y = out[at + c];
        if (bias) y = f(y + bias[c]);
        if (bn) y = f(bn.beta[c] + f(f(f(y - bn.mean[c]) * bn.gamma[c]) / norm[c]));
        out[at + c] = y;
      }
    },
  };
}

/** A batch norm on its own (not right after a conv or dense layer), over [..., channels]. */
export function batchNormInPlace(data: Float32Array, channels: number, bn: BatchNormValues): void {
  const e = makeEpilogue(channels, undefined, bn)!;
  for (let at = 0; at < data.length; at += channels) e.apply(data, at);
}
