// Node entry: files, downloads, archives and the on-disk frame cache. Re-exports the main entry
// so Node users need one import.
export * from '../index.js';
export { readBytes, readInflated, inflateIfGzip, digestBytes, digestFile, exists, type DigestAlgorithm } from './files.js';
export { downloadFile, type DownloadOptions } from './download.js';
export { loadIdxDataset, loadFashionMnist, loadMnist, loadFashionMnistTensors, defaultCacheDir, type LoadIdxOptions, type IdxDatasetName, type IdxDownloadOptions } from './idx.js';
export { loadCifar10, type LoadCifar10Options } from './cifar10.js';
export { extractTar, extractZip, encodeZip, type ExtractOptions } from './archives.js';
export { FrameCache } from './frame-cache.js';
export { EventDataset, windowEvents, type EventSample, type EventDatasetInfo, type FramesOptions } from './event-dataset.js';
export { loadNmnist, loadCifar10Dvs, loadDvsGesture, type EventLoadOptions, type Cifar10DvsOptions } from './event-loaders.js';
export { readEventFile, readAedat31File, type EventFormat } from './read-events.js';
// Importing this entry registers the built-in datasets (MNIST, Fashion-MNIST, CIFAR-10, N-MNIST,
// CIFAR10-DVS, DVS128 Gesture, synthetic) with `datasets`.
export * from './datasets/index.js';
