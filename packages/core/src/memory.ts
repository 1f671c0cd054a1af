import { layerShapes, parseSpec, type NormalizedModelSpec } from '@spikeflow/spec';

/**
 * Rough bytes one training step keeps alive: every layer's output over T steps and the batch (kept
 * for backpropagation through time), times a factor for the neuron state and gradients, plus the
 * weights with their optimiser slots. Used to refuse a run before it allocates, not as a promise.
 */
export function estimateTrainingBytes(spec: NormalizedModelSpec | unknown, batchSize: number): number {
  const normalized = parseSpec(spec);
  const T = normalized.timeSteps;
  const perSample = layerShapes(normalized).reduce((sum, shape) => sum + shape.reduce((a, b) => a * b, 1), 0);
  const activations = perSample * T * batchSize * 4;
  let weights = 0;
  let shape = normalized.input.shape;
  for (const [i, out] of layerShapes(normalized).entries()) {
    const layer = normalized.layers[i];
    if (layer.kind === 'dense') weights += shape.reduce((a, b) => a * b, 1) * out[0];
    if (layer.kind === 'conv2d') {
      const k = Array.isArray(layer.kernelSize) ? (layer.kernelSize[0] as number) * (layer.kernelSize[1] as number) : (layer.kernelSize as number) ** 2;
      weights += k * shape[shape.length - 1] * out[out.length - 1];
    }
    shape = out;
  }
  // Forward outputs, their gradients and the neurons' saved state: about three copies.
  return 3 * activations + 4 * weights * 4;
}
