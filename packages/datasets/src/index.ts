// Main entry: works in browsers and Node (no node: imports). File-system loaders, downloads and
// the frame cache live in '@spikeflow/datasets/node'.
export * from './errors.js';
export { asBytes, isGzip, concatBytes, gunzipWeb, maybeGunzipWeb, type BytesLike } from './bytes.js';
export { createRng, permutation, shuffleInPlace } from './random.js';
export { syntheticDataset, type SyntheticOptions } from './synthetic.js';

export { parseIdx, encodeIdx, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, type IdxArray } from './formats/idx.js';

export { imageSetFromIdx, checkImageShape, checkLabels, classCounts, type ImageSet, type IdxPairMeta } from './image/image-set.js';
export { FASHION_MNIST, FASHION_MNIST_CLASSES, MNIST, idxSpec, type IdxDatasetSpec, type RemoteFile } from './image/catalog.js';
export { imageSetToTensors, labelsToTensor, bytesToUnitFloat, type ImageTensors } from './image/tensors.js';
export { augmentImage, checkAugment, type Augment, type AffineAugment, type CropFlipAugment } from './image/augment.js';
export { encodeSpikes, checkEncoder, type EncoderKind, type EncoderOptions } from './encoders.js';

export type { BatchSource } from './batching/source.js';
export { sampleSize } from './batching/source.js';
export { imageSource, type ImageSourceOptions } from './batching/image-source.js';
export { batches, hostBatches, prepareHostBatch, batchCount, epochOrder, toTimeMajor, type Batch, type BatchOptions, type HostBatch } from './batching/batches.js';
export { imageBatches } from './batching/image-batches.js';

export { readSource, readSourceInflated, sourceName, type ByteSource, type ReadSourceOptions } from './browser/sources.js';
export { loadIdxImageSetWeb, type WebIdxOptions } from './browser/idx-web.js';
export { loadFromNpmPackage, NPM_SPLIT_NOTE, type NpmFallbackOptions } from './npm-fallback.js';

export { type EventStream, type SensorSize, EventBuffer, allocEvents, sliceEvents, eventCount } from './events/types.js';
export { integrateFrames, frameSegments, checkFrameOptions, type FrameOptions, type SplitBy } from './events/integrate.js';
export { decodeNmnist, encodeNmnist, NMNIST_SENSOR } from './formats/nmnist.js';
export { Aedat31Decoder, decodeAedat31, encodeAedat31, DVS128_SENSOR, AEDAT_POLARITY_EVENT, type Aedat31WriteOptions } from './formats/aedat31.js';
export { decodeCifar10Dvs, encodeCifar10Dvs } from './formats/cifar10dvs.js';
export { parseGestureLabels, encodeGestureLabels, DVS_GESTURE_CLASSES, type GestureWindow } from './formats/gesture-labels.js';
export { parseCifar10Batch, encodeCifar10Batch, CIFAR10_CLASSES, CIFAR10_RECORD, type CifarBatch } from './formats/cifar10.js';
export { readAsciiHeader, type AsciiHeader } from './formats/ascii-header.js';
export { TarReader, encodeTar, type TarEntry, type TarHandlers } from './formats/tar.js';
export { safeEntrySegments } from './formats/safe-path.js';

export {
  defineDataset,
  datasets,
  requireDataDir,
  UnknownDatasetError,
  DataDirRequiredError,
  type DatasetDefinition,
  type DatasetLoadOptions,
  type DatasetPreset,
  type DatasetSplit,
  type DatasetSplits,
  type PresetSchedule,
} from './registry/dataset.js';
export { imageSplit, limitImages, sourceSplit, limitSource, syntheticSplit } from './registry/splits.js';
export { paperImageNet, paperCifarNet, paperEventNet, paperTraining } from './presets/paper.js';
