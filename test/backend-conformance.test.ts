// Every backend runs the same suite (test/support/backend-conformance.ts), in this order and in one
// process, so checkpoints saved on one are evaluated on the others. Adding a backend is one line.
import { backendConformance } from './support/backend-conformance.js';

backendConformance([
  '@spikeflow/backend-cpu',
  '@spikeflow/backend-wasm',
  '@spikeflow/backend-webgpu',
  '@spikeflow/backend-node-gpu',
]);
