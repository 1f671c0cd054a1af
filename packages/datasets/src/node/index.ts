// Node entry: files, downloads, archives and the on-disk frame cache. Re-exports the main entry
// so Node users need one import.
export * from '../index.js';
export { readBytes, readInflated, inflateIfGzip, digestBytes, digestFile, exists, type DigestAlgorithm } from './files.js';
export { downloadFile, type DownloadOptions } from './download.js';
export { loadIdxDataset, loadFashionMnist, loadMnist, loadFashionMnistTensors, defaultCacheDir, type LoadIdxOptions, type IdxDatasetName } from './idx.js';
