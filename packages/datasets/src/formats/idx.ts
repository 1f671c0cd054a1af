// IDX (the MNIST file format): 2 zero bytes, a type byte, a dimension count, big-endian uint32
// sizes, then the data row-major. Only unsigned bytes (type 0x08) occur in the MNIST family.
import { FormatError } from '../errors.js';

export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;
const UBYTE = 0x08;

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Parses an uncompressed IDX file of unsigned bytes; `file` names it in errors. */
export function parseIdx(bytes: Uint8Array, file: string, expectedMagic?: number): IdxArray {
  if (bytes.length < 4) throw new FormatError(`IDX file too short for its 4-byte magic number (${bytes.length} bytes)`, { file, offset: 0 });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const hex = (m: number) => `0x${m.toString(16).padStart(8, '0')}`;
  if (bytes[0] !== 0 || bytes[1] !== 0) throw new FormatError(`not an IDX file: wrong magic number ${hex(magic)}`, { file, offset: 0 });
  if (bytes[2] !== UBYTE) throw new FormatError(`IDX data type 0x${bytes[2].toString(16)} is not supported (only 0x08 unsigned byte)`, { file, offset: 2 });
  if (expectedMagic !== undefined && magic !== expectedMagic) {
    throw new FormatError(`wrong magic number ${hex(magic)}, expected ${hex(expectedMagic)}`, { file, offset: 0 });
  }
  const ndims = bytes[3];
  if (ndims === 0) throw new FormatError('IDX header declares 0 dimensions', { file, offset: 3 });
  const headerLen = 4 + 4 * ndims;
  if (bytes.length < headerLen) throw new FormatError(`truncated IDX header: need ${headerLen} bytes, file has ${bytes.length}`, { file, offset: bytes.length });
  const dims: number[] = [];
  let size = 1;
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    size *= d;
  }
  const expected = headerLen + size;
  if (bytes.length < expected) {
    throw new FormatError(`truncated IDX file: dimensions [${dims.join(', ')}] need ${expected} bytes, file has ${bytes.length}`, { file, offset: bytes.length });
  }
  if (bytes.length > expected) {
    throw new FormatError(`IDX file has ${bytes.length - expected} unexpected bytes after the data of dimensions [${dims.join(', ')}]`, { file, offset: expected });
  }
  return { dims, data: bytes.subarray(headerLen, expected) };
}

/** Writes an IDX file of unsigned bytes (used to make test fixtures and to export subsets). */
export function encodeIdx(data: Uint8Array, dims: readonly number[]): Uint8Array {
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== data.length) throw new FormatError(`encodeIdx: dims [${dims.join(', ')}] hold ${size} values but data has ${data.length}`);
  const out = new Uint8Array(4 + 4 * dims.length + size);
  const view = new DataView(out.buffer);
  out[2] = UBYTE;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
