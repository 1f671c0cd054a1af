import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { isGzip } from '../bytes.js';
import { DatasetError, FormatError } from '../errors.js';

const gunzipAsync = promisify(gunzip);

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Reads a whole file; a missing or unreadable file becomes a DatasetError naming it. */
export async function readBytes(path: string): Promise<Uint8Array> {
  try {
    const buf = await readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (cause) {
    throw new DatasetError(`cannot read file (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`, { file: path, cause });
  }
}

/** Inflates with zlib (faster than DecompressionStream on Node) when the bytes are gzip. */
export async function inflateIfGzip(bytes: Uint8Array, file: string): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  try {
    const out = await gunzipAsync(bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (cause) {
    throw new FormatError(`gzip data is corrupt or truncated (${(cause as Error).message})`, { file, cause });
  }
}

/** Reads a file, inflating it when it is gzip. */
export async function readInflated(path: string): Promise<Uint8Array> {
  return inflateIfGzip(await readBytes(path), path);
}

export type DigestAlgorithm = 'sha256' | 'md5';

export function digestBytes(bytes: Uint8Array, algorithm: DigestAlgorithm): string {
  return createHash(algorithm).update(bytes).digest('hex');
}

/** Streams the file through the hash so large archives need no memory. */
export async function digestFile(path: string, algorithm: DigestAlgorithm): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
