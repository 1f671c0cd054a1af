// @spikeflow/infer-packed: inference of trained spikeflow networks on packed binary spikes.
export { chooseKernel, compileInference, PackedNetwork, type PackedPrediction, type PredictOptions, type LayerCost, type CostReport } from './engine.js';
export { PackError } from './errors.js';
export type { CompileOptions } from './compile.js';
export { formatCostTable } from './cost-table.js';
export { packedNeuronSource } from './neuron-kernel.js';
export type { Stage, StageMode } from './stage.js';
export type { SpikeKernel } from './stages/linear.js';
export { snapshotNetwork, reviveNetwork, type NetworkSnapshot, type PackableNetwork } from './snapshot.js';
