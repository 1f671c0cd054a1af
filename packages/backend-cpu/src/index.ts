// @spikeflow/backend-cpu: importing this module replaces tfjs-backend-cpu's convolution filter
// gradient (its naive loop dominated a CSNN training step) with one that skips zero inputs.
// The fused neuron op for cpu comes with @spikeflow/core.
import { registerConv2dBackpropFilter } from './conv2d-backprop-filter.js';

export { conv2dBackpropFilter, registerConv2dBackpropFilter } from './conv2d-backprop-filter.js';

/** Registers spikeflow's cpu kernels (done on import; safe to call again). */
export async function setup(): Promise<{ kernels: string[] }> {
  registerConv2dBackpropFilter();
  return { kernels: ['Conv2DBackpropFilter'] };
}

registerConv2dBackpropFilter();
