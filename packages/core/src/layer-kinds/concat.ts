import * as tf from '@tensorflow/tfjs';
import { concatKind } from '@spikeflow/spec';
import { defineMerge, mergeDetail } from './merge-detail.js';

export const concat = defineMerge(concatKind, (xs) => tf.concat(xs, -1), (l) => mergeDetail(l, ', '), true);
