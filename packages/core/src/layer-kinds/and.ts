import * as tf from '@tensorflow/tfjs';
import { andKind } from '@spikeflow/spec';
import { defineMerge, mergeDetail } from './merge-detail.js';

export const and = defineMerge(andKind, (xs) => xs.slice(1).reduce((acc, x) => tf.mul(acc, x), xs[0]), (l) => mergeDetail(l, ' AND '), true);
