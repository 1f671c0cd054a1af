// Preload that makes the wasm backend run the JavaScript host neuron kernel instead of the
// WebAssembly SIMD one, to measure the two against each other with any benchmark script:
//   NODE_OPTIONS=--import=./packages/backend-wasm/bench/js-neuron-kernel.mjs node apps/train/bench/backends.bench.mjs --backends wasm
// (NODE_OPTIONS reaches the benchmark's child processes too.)
import { selectWasmNeuronKernel } from '@spikeflow/backend-wasm';

selectWasmNeuronKernel('js');
