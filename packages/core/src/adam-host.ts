// Adam's update over typed arrays, for backends whose tensors live in host memory (cpu, wasm): one
// pass over the variable instead of a dozen (adam-op.ts has the formula and the kernel's layout).

export function adamUpdateHost(
  value: Float32Array, gradient: Float32Array, m: Float32Array, v: Float32Array, oneMinusAccBeta1: number, oneMinusAccBeta2: number,
  learningRate: number, beta1: number, beta2: number, epsilon: number,
  outValue: Float32Array, outM: Float32Array, outV: Float32Array,
): void {
  const n = value.length;
  const keep1 = 1 - beta1;
  const keep2 = 1 - beta2;
  const rate = learningRate / oneMinusAccBeta1;
  const invCorrection2 = 1 / oneMinusAccBeta2;
  for (let i = 0; i < n; i++) {
    const g = gradient[i];
    const m1 = beta1 * m[i] + keep1 * g;
    const v1 = beta2 * v[i] + keep2 * g * g;
    outM[i] = m1;
    outV[i] = v1;
    outValue[i] = value[i] - (rate * m1) / (Math.sqrt(v1 * invCorrection2) + epsilon);
  }
}
