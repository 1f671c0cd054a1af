// The built-in layer kinds, one file each; a new built-in kind is its file and one line here.
import { conv2d } from './conv2d.js';
import { dense } from './dense.js';
import { batchNorm } from './batch-norm.js';
import { neuron } from './neuron.js';
import { pool } from './pool.js';
import { flatten } from './flatten.js';
import { dropout } from './dropout.js';
import { voting } from './voting.js';
import { add } from './add.js';
import { concat } from './concat.js';
import { and } from './and.js';
import { iand } from './iand.js';
import { recurrent } from './recurrent.js';
import { rowSequence } from './row-sequence.js';
import { attention } from './attention.js';

/** Registered in every Registry, in the order error messages list them. */
export const builtinLayers = [conv2d, dense, batchNorm, neuron, pool, flatten, dropout, voting, add, concat, and, iand, recurrent, rowSequence, attention] as const;
