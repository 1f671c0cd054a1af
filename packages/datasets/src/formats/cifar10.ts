// CIFAR-10 binary version: records of 3073 bytes, a label byte then 1024 red, 1024 green and
// 1024 blue bytes, each plane row-major 32x32. Converted here to HWC for tfjs.
import { FormatError } from '../errors.js';

export const CIFAR10_RECORD = 3073;
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;

export interface CifarBatch {
  /** [N, 32, 32, 3] HWC bytes. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

export function parseCifar10Batch(bytes: Uint8Array, file: string): CifarBatch {
  if (bytes.length === 0) throw new FormatError('empty CIFAR-10 batch file', { file, offset: 0 });
  if (bytes.length % CIFAR10_RECORD !== 0) {
    const whole = Math.floor(bytes.length / CIFAR10_RECORD);
    throw new FormatError(`truncated CIFAR-10 batch: ${bytes.length} bytes is not a whole number of 3073-byte records (record ${whole} is incomplete)`, { file, offset: whole * CIFAR10_RECORD });
  }
  const n = bytes.length / CIFAR10_RECORD;
  const images = new Uint8Array(n * 3072);
  const labels = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    const o = r * CIFAR10_RECORD;
    const label = bytes[o];
    if (label > 9) throw new FormatError(`record ${r} has label ${label}, not a CIFAR-10 class (0..9): is this the CIFAR-100 or a non-binary file?`, { file, offset: o });
    labels[r] = label;
    const dst = r * 3072;
    for (let i = 0; i < 1024; i++) {
      images[dst + i * 3] = bytes[o + 1 + i];
      images[dst + i * 3 + 1] = bytes[o + 1025 + i];
      images[dst + i * 3 + 2] = bytes[o + 2049 + i];
    }
  }
  return { images, labels, count: n };
}

/** Writes HWC images and labels as a CIFAR-10 binary batch. */
export function encodeCifar10Batch(images: Uint8Array, labels: Uint8Array): Uint8Array {
  const n = labels.length;
  if (images.length !== n * 3072) throw new FormatError(`encodeCifar10Batch: ${images.length} image bytes for ${n} labels (need ${n * 3072})`);
  const out = new Uint8Array(n * CIFAR10_RECORD);
  for (let r = 0; r < n; r++) {
    const o = r * CIFAR10_RECORD;
    out[o] = labels[r];
    for (let i = 0; i < 1024; i++) {
      out[o + 1 + i] = images[r * 3072 + i * 3];
      out[o + 1025 + i] = images[r * 3072 + i * 3 + 1];
      out[o + 2049 + i] = images[r * 3072 + i * 3 + 2];
    }
  }
  return out;
}
