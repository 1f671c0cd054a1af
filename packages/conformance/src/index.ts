// The conformance runner: proves a neuron plugin or a backend against reference vectors, and writes
// vectors from a plugin's reference op. The `spikeflow-conformance` bin is a thin shell over it.
export { runConformance, generateConformance, importPlugins, loadVectors, type ConformanceOptions, type GenerateCliOptions } from './runner.js';
