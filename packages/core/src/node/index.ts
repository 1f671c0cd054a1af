// Node-only helpers: file:// checkpoints. Importing this entry registers the file:// router.
import { registerFileRouter } from './file-handler.js';

registerFileRouter();

export { fileHandler, registerFileRouter } from './file-handler.js';
export { runConformance, loadVectors, type ConformanceOptions } from './conformance-cli.js';
export {
  selectBackend,
  formatSelection,
  rankCandidates,
  discoverBackendProviders,
  installedBackendPackages,
  loadBackendPackage,
  type SelectedBackend,
  type SelectOptions,
} from './backends.js';
