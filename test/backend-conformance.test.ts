// Every backend runs the same suite (test/backend-conformance-suite.ts), in this order and in one
// process, so checkpoints saved on one are evaluated on the others. Adding a backend is one line.
import { backendConformance } from './backend-conformance-suite.js';

backendConformance([
  '@spikeflow/backend-cpu',
  '@spikeflow/backend-wasm',
  '@spikeflow/backend-webgpu',
  '@spikeflow/backend-node-gpu',
]);
