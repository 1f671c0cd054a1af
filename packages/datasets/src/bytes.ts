import { FormatError } from './errors.js';

/** Anything that holds raw file bytes, in Node or in the browser. */
export type BytesLike = Uint8Array | ArrayBuffer | ArrayBufferView;

export function asBytes(input: BytesLike): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
}

/** gzip members start with 1f 8b; IDX and CIFAR files never do (their first bytes are 0 or a label < 10). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export function concatBytes(chunks: readonly Uint8Array[], total?: number): Uint8Array {
  const size = total ?? chunks.reduce((s, c) => s + c.length, 0);
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Inflates gzip with the platform's DecompressionStream (browsers and Node >= 18), so the main
 * entry needs no node: import. Node code uses zlib instead, which is faster for large files.
 */
export async function gunzipWeb(bytes: Uint8Array, file: string): Promise<Uint8Array> {
  if (typeof DecompressionStream === 'undefined') {
    throw new FormatError('is gzip-compressed but this platform has no DecompressionStream; pass the uncompressed file', { file });
  }
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
  } catch (cause) {
    throw new FormatError(`gzip data is corrupt or truncated (${(cause as Error).message})`, { file, cause });
  }
  return concatBytes(chunks);
}

/** Returns the bytes inflated when they are gzip, unchanged otherwise. */
export async function maybeGunzipWeb(bytes: Uint8Array, file: string): Promise<Uint8Array> {
  return isGzip(bytes) ? gunzipWeb(bytes, file) : bytes;
}
