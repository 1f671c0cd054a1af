import type { WebGPULimits } from './limits.js';

/** The shape of one fused neuron op call: T steps, M neurons, S states, P parameters. */
export interface NeuronOpShape {
  T: number;
  M: number;
  S: number;
  P: number;
  withV: boolean;
  workgroupSize: number;
}

/** A run of neurons [start, start + size) that one forward and one backward dispatch cover. */
export interface NeuronChunk {
  start: number;
  size: number;
}

/** Bytes of the largest buffer a forward or backward dispatch over `n` neurons binds. */
export function largestBinding(s: NeuronOpShape, n: number): number {
  const perStep = s.withV ? 1 + s.S : 1; // forward output and the backward's dY
  const groups = Math.ceil(n / s.workgroupSize);
  return 4 * Math.max(s.T * n, perStep * s.T * n, s.S * s.T * n + groups * s.P);
}

/**
 * Splits the neurons into the fewest runs whose dispatches fit the adapter: every buffer bound
 * within maxStorageBufferBindingSize and maxBufferSize, and the workgroups of one dispatch within
 * maxComputeWorkgroupsPerDimension. One run when everything fits. Throws when one neuron's T steps
 * alone exceed the binding limit.
 */
export function planNeuronChunks(s: NeuronOpShape, limits: Pick<WebGPULimits, 'maxStorageBufferBindingSize' | 'maxBufferSize' | 'maxComputeWorkgroupsPerDimension'>): NeuronChunk[] {
  const bytes = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const fits = (n: number) => largestBinding(s, n) <= bytes && Math.ceil(n / s.workgroupSize) <= limits.maxComputeWorkgroupsPerDimension;
  if (s.M === 0 || fits(s.M)) return [{ start: 0, size: s.M }];
  if (!fits(1)) {
    throw new Error(`fused neuron op: one neuron over T=${s.T} steps needs a ${largestBinding(s, 1)}-byte buffer, over this adapter's limit of ${bytes} bytes (maxStorageBufferBindingSize / maxBufferSize); use fewer time steps`);
  }
  // The largest run that fits (fits() is monotone in n), then whole workgroups where possible.
  let lo = 1;
  let hi = s.M;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  const size = lo >= s.workgroupSize ? lo - (lo % s.workgroupSize) : lo;
  const chunks: NeuronChunk[] = [];
  for (let start = 0; start < s.M; start += size) chunks.push({ start, size: Math.min(size, s.M - start) });
  return chunks;
}
