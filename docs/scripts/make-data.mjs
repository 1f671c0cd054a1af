// Writes the demos' data: the first TRAIN_COUNT training and TEST_COUNT test images of the official
// Fashion-MNIST split, as gzipped IDX files in public/data/ (read in the page by
// @spikeflow/datasets' loadIdxImageSetWeb). Made at build time from the offline files that
// @spikeflow/datasets/node finds (Debian's dataset-fashion-mnist, $SPIKEFLOW_DATA or its cache).
import { mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { encodeIdx, loadFashionMnist } from '@spikeflow/datasets/node';

export const TRAIN_COUNT = 4000;
export const TEST_COUNT = 1000;

/** File names in public/data/, shared with the demos (docs/lib/data.ts). */
export const dataFiles = (split) => ({ images: `fashion-mnist-${split}-images.idx.gz`, labels: `fashion-mnist-${split}-labels.idx.gz` });

export async function makeData(outDir) {
  mkdirSync(outDir, { recursive: true });
  const written = [];
  for (const [split, count] of [['train', TRAIN_COUNT], ['test', TEST_COUNT]]) {
    const set = await loadFashionMnist({ split });
    if (set.count < count) throw new Error(`make-data: ${set.source} has ${set.count} ${split} images, the demos need ${count}`);
    const pixels = set.height * set.width * set.channels;
    const files = dataFiles(split);
    const images = encodeIdx(set.images.subarray(0, count * pixels), [count, set.height, set.width]);
    const labels = encodeIdx(set.labels.subarray(0, count), [count]);
    writeFileSync(`${outDir}/${files.images}`, gzipSync(images, { level: 9 }));
    writeFileSync(`${outDir}/${files.labels}`, gzipSync(labels, { level: 9 }));
    written.push(`${split}: ${count} images from ${set.source}`);
  }
  return written;
}
