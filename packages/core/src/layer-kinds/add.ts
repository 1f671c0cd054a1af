import * as tf from '@tensorflow/tfjs';
import { addKind } from '@spikeflow/spec';
import { defineMerge, mergeDetail } from './merge-detail.js';

export const add = defineMerge(addKind, (xs) => tf.addN(xs), (l) => mergeDetail(l, ' + '), false);
