// Node-only helpers: file:// checkpoints. Importing this entry registers the file:// router.
import { registerFileRouter } from './file-handler.js';

registerFileRouter();

export { fileHandler, registerFileRouter } from './file-handler.js';
export { readManifest, MANIFEST_FILE, MANIFEST_FORMAT, type CheckpointManifest, type ManifestSummary } from './manifest.js';
export { selectBackend, discoverBackendProviders, installedBackendPackages, loadBackendPackage } from './backends.js';
export { formatSelection, rankCandidates, type SelectedBackend, type SelectOptions } from '../select.js';
