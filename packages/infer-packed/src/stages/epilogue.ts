// What follows the accumulation of a conv or dense layer, per output channel: its bias, then the
// batch norm right after it (folded into this pass). Both are computed exactly as the float network
// on wasm computes them, so the values the neuron sees are bit-identical: a float32 bias add, then
// tfjs-backend-wasm's batch norm, whose float32 product (x - mean) * scale is divided by
// sqrt(variance + epsilon) (a float32 square root) and added to the offset in float64, then rounded
// to float32 once. (A float32 division and add differ in the last bit on about a quarter of values,
// which flips a spike when a membrane sits within an ulp of its threshold: one count in a million on
// the fashion-mnist-quick checkpoint.) Folding the batch norm into the weights would change the rounding too.
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

/** sqrt(variance + epsilon), rounded to float32 as tfjs's float32 square root rounds it. */
export const batchNormDivisor = (variance: number, epsilon: number): number => f(Math.sqrt(f(variance + f(epsilon))));

export function makeEpilogue(channels: number, bias?: Float32Array, bn?: BatchNormValues): Epilogue | undefined {
  if (!bias && !bn) return undefined;
  const norm = new Float32Array(channels); // float32 values, used in float64 arithmetic
  if (bn) for (let c = 0; c < channels; c++) norm[c] = batchNormDivisor(bn.variance[c], bn.epsilon);
  return {
    apply(out, at) {
      for (let c = 0; c < channels; c++) {
        let y = out[at + c];
        if (bias) y = f(y + bias[c]);
        if (bn) y = f(f(f(y - bn.mean[c]) * bn.gamma[c]) / norm[c] + bn.beta[c]);
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
