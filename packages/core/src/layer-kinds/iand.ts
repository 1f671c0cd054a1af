import * as tf from '@tensorflow/tfjs';
import { iandKind } from '@spikeflow/spec';
import { defineMerge } from './merge-detail.js';

// (NOT a) AND b, with a the first input: (1 - a) * b.
export const iand = defineMerge(iandKind, ([a, b]) => tf.mul(tf.sub(1, a), b), (l) => `NOT ${(l.inputs as string[])[0]} AND ${(l.inputs as string[])[1]}`, true);
