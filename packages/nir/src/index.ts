export { NIR_VERSION, NODE_TYPES, NEURON_PARAMS, SPIKING_TYPES, isNeuronNode, ndarray, filled, sizeOf, type NirGraph, type NirNode, type NirNodeType, type NeuronNodeType, type NdArray, type Metadata } from './ir.js';
export type { InputNode, OutputNode, AffineNode, LinearNode, Conv2dNode, FlattenNode, PoolNode, ScaleNode, ThresholdNode, NeuronNode } from './ir.js';
export { NirError } from './errors.js';
export { readModel, buildModel, type SpikeflowModel, type Weight } from './model.js';
export { foldBatchNorm } from './fold.js';
export { exportNir, writeNir, modelToNir, type ExportOptions } from './export.js';
export { importNir, readNir, nirToModel, chainOf, hasSubtractiveReset, type ImportOptions, type MissingReset } from './import.js';
export { structureOf, nodeOrder, type GraphStructure } from './structure.js';
