import { layerShapes, parseSpec, resolveGraph, type NormalizedModelSpec } from '@spikeflow/spec';
import { registry as sharedRegistry, type Registry } from './registry.js';

/**
 * Rough bytes one training step keeps alive: every layer's output over T steps and the batch (kept
 * for backpropagation through time), times a factor for the neuron state and gradients, plus the
 * weights with their optimiser slots (each layer kind counts its own). Used to refuse a run before
 * it allocates, not as a promise.
 */
export function estimateTrainingBytes(spec: NormalizedModelSpec | unknown, batchSize: number, registry: Registry = sharedRegistry): number {
  // Layer kinds only: plugin names and options are not needed for a size estimate.
  const catalog = { layers: registry.catalog().layers };
  const normalized = parseSpec(spec, catalog);
  const T = normalized.timeSteps;
  const shapes = layerShapes(normalized, catalog);
  const perSample = shapes.reduce((sum, shape) => sum + shape.reduce((a, b) => a * b, 1), 0);
  const activations = perSample * T * batchSize * 4;
  const { inputs } = resolveGraph(normalized.layers, []);
  let weights = 0;
  normalized.layers.forEach((layer, i) => {
    const inputShapes = inputs[i].map((j) => (j < 0 ? normalized.input.shape : shapes[j]));
    weights += registry.layers.get(layer.kind)?.weights?.(inputShapes, shapes[i], layer) ?? 0;
  });
  // Forward outputs, their gradients and the neurons' saved state: about three copies.
  return 3 * activations + 4 * weights * 4;
}
