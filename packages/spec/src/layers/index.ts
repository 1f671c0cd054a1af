// The built-in layer kinds, one file each. A new built-in kind is its file and one line here.
export { conv2dKind, type Conv2dLayerSpec } from './conv2d.js';
export { denseKind, type DenseLayerSpec } from './dense.js';
export { batchNormKind, type BatchNormLayerSpec } from './batch-norm.js';
export { neuronKind, NEURON_FIELDS, type NeuronLayerSpec, type NeuronCommonSpec } from './neuron.js';
export { poolKind, type PoolLayerSpec } from './pool.js';
export { flattenKind, type FlattenLayerSpec } from './flatten.js';
export { dropoutKind, type DropoutLayerSpec } from './dropout.js';
export { votingKind, type VotingLayerSpec } from './voting.js';
export { addKind, type AddLayerSpec } from './add.js';
export { concatKind, type ConcatLayerSpec } from './concat.js';
export { andKind, type AndLayerSpec } from './and.js';
export { iandKind, type IandLayerSpec } from './iand.js';
export { recurrentKind, type RecurrentLayerSpec } from './recurrent.js';
export { rowSequenceKind, type RowSequenceLayerSpec } from './row-sequence.js';
export { attentionKind, type AttentionLayerSpec } from './attention.js';

import { conv2dKind } from './conv2d.js';
import { denseKind } from './dense.js';
import { batchNormKind } from './batch-norm.js';
import { neuronKind } from './neuron.js';
import { poolKind } from './pool.js';
import { flattenKind } from './flatten.js';
import { dropoutKind } from './dropout.js';
import { votingKind } from './voting.js';
import { addKind } from './add.js';
import { concatKind } from './concat.js';
import { andKind } from './and.js';
import { iandKind } from './iand.js';
import { recurrentKind } from './recurrent.js';
import { rowSequenceKind } from './row-sequence.js';
import { attentionKind } from './attention.js';
import type { LayerKindSpec } from '../layer-kind.js';

/** The built-in kinds in the order the docs and error messages list them. */
export const BUILTIN_LAYER_KINDS: readonly LayerKindSpec[] = [conv2dKind, denseKind, batchNormKind, neuronKind, poolKind, flattenKind, dropoutKind, votingKind, addKind, concatKind, andKind, iandKind, recurrentKind, rowSequenceKind, attentionKind];
