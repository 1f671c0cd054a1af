import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

/** The adapter limits spikeflow's programs size themselves by (names as in GPUSupportedLimits). */
export interface WebGPULimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  maxComputeWorkgroupsPerDimension: number;
  maxComputeInvocationsPerWorkgroup: number;
  maxComputeWorkgroupSizeX: number;
  maxComputeWorkgroupStorageSize: number;
}

const NAMES: Array<keyof WebGPULimits> = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupsPerDimension',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupStorageSize',
];

let override: Partial<WebGPULimits> | undefined;

/**
 * Makes spikeflow's programs plan for smaller limits than the device's (each value is capped at the
 * device's own): tests and benchmarks force chunking this way without giant tensors. No argument
 * restores the device's limits.
 */
export function overrideWebGPULimits(limits?: Partial<WebGPULimits>): void {
  for (const [name, value] of Object.entries(limits ?? {})) {
    if (!NAMES.includes(name as keyof WebGPULimits)) throw new Error(`overrideWebGPULimits: unknown limit "${name}"; known: ${NAMES.join(', ')}`);
    if (!(Number.isInteger(value) && value > 0)) throw new Error(`overrideWebGPULimits: ${name} must be a positive integer, got ${value}`);
  }
  override = limits && { ...limits };
}

/** The limits of a device (a GPUDevice or GPUAdapter's `limits`), lowered by any override. */
export function effectiveLimits(deviceLimits: Record<string, number>): WebGPULimits {
  const out = {} as WebGPULimits;
  for (const name of NAMES) out[name] = Math.min(deviceLimits[name], override?.[name] ?? Infinity);
  return out;
}

/** The current webgpu backend's limits, lowered by any override. */
export function currentLimits(): WebGPULimits {
  return effectiveLimits((tf.backend() as unknown as WebGPUBackend).device.limits as unknown as Record<string, number>);
}

/** The device's own limits, without the override (what a binding must really fit). */
export function deviceLimits(): WebGPULimits {
  const l = (tf.backend() as unknown as WebGPUBackend).device.limits as unknown as Record<string, number>;
  return Object.fromEntries(NAMES.map((n) => [n, l[n]])) as unknown as WebGPULimits;
}
