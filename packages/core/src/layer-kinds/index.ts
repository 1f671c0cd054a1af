// The built-in layer kinds: one file each, and one line here. The registry lists them by kind
// (builtin-layers.ts), so the order of these lines does not matter.
export { add, type AddLayerSpec } from './add.js';
export { and, type AndLayerSpec } from './and.js';
export { attention, type AttentionLayerSpec } from './attention.js';
export { batchNorm, type BatchNormLayerSpec } from './batch-norm.js';
export { concat, type ConcatLayerSpec } from './concat.js';
export { conv2d, type Conv2dLayerSpec } from './conv2d.js';
export { dense, type DenseLayerSpec } from './dense.js';
export { dropout, type DropoutLayerSpec } from './dropout.js';
export { flatten, type FlattenLayerSpec } from './flatten.js';
export { iand, type IandLayerSpec } from './iand.js';
export { neuron, type NeuronLayerSpec, type NeuronCommonSpec } from './neuron.js';
export { pool, type PoolLayerSpec } from './pool.js';
export { recurrent, type RecurrentLayerSpec } from './recurrent.js';
export { rowSequence, type RowSequenceLayerSpec } from './row-sequence.js';
export { voting, type VotingLayerSpec } from './voting.js';
