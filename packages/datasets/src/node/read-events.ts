// Decodes one recording file. AEDAT 3.1 recordings (up to ~100 MB) stream through the
// incremental decoder in 4 MiB reads instead of being read whole.
import { open } from 'node:fs/promises';
import type { EventStream, SensorSize } from '../events/types.js';
import { Aedat31Decoder } from '../formats/aedat31.js';
import { decodeCifar10Dvs } from '../formats/cifar10dvs.js';
import { decodeNmnist } from '../formats/nmnist.js';
import { DatasetError } from '../errors.js';
import { readBytes } from './files.js';

export type EventFormat = 'nmnist-bin' | 'aedat3.1' | 'cifar10dvs-aedat';

const CHUNK = 4 << 20;

export async function readAedat31File(path: string, sensor?: SensorSize): Promise<EventStream> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (cause) {
    throw new DatasetError(`cannot open file (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`, { file: path, cause });
  }
  try {
    const dec = new Aedat31Decoder(path, sensor);
    for (;;) {
      const buf = new Uint8Array(CHUNK); // fresh buffer: the decoder may keep a view of it
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      dec.push(buf.subarray(0, bytesRead));
    }
    return dec.end();
  } finally {
    await fh.close();
  }
}

export async function readEventFile(path: string, format: EventFormat, sensor: SensorSize): Promise<EventStream> {
  if (format === 'aedat3.1') return readAedat31File(path, sensor);
  const bytes = await readBytes(path);
  return format === 'nmnist-bin' ? decodeNmnist(bytes, path, sensor) : decodeCifar10Dvs(bytes, path);
}
