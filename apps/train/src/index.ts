export { main, parse, resolvePreset, UsageError, USAGE } from './cli.js';
export { PRESETS, paperImageNet, type Preset } from './presets.js';
export { run, evaluate, type EpochReport, type RunOptions } from './loop.js';
export { selectBackend, BACKENDS, type BackendName } from './backends.js';
export { loadSplits, type Split, type DataOptions } from './data.js';
