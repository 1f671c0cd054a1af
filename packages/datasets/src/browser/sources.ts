// Browser-side inputs: a URL fetched with fetch(), a File/Blob the user picked, or bytes in memory.
import { asBytes, maybeGunzipWeb, type BytesLike } from '../bytes.js';
import { DownloadError, OfflineError } from '../errors.js';

export type ByteSource = string | URL | Blob | BytesLike;

export interface ReadSourceOptions {
  /** Replaces globalThis.fetch (tests, custom auth). */
  fetch?: typeof fetch;
  /** Name used in error messages when the source is raw bytes. */
  name?: string;
}

export function sourceName(source: ByteSource, fallback = '<bytes>'): string {
  if (typeof source === 'string') return source;
  if (source instanceof URL) return source.href;
  if (typeof Blob !== 'undefined' && source instanceof Blob) return (source as File).name ?? fallback;
  return fallback;
}

/** Reads a whole source into memory (no decompression). */
export async function readSource(source: ByteSource, opts: ReadSourceOptions = {}): Promise<Uint8Array> {
  if (typeof source === 'string' || source instanceof URL) {
    const url = String(source);
    const doFetch = opts.fetch ?? globalThis.fetch;
    let res: Response;
    try {
      res = await doFetch(url);
    } catch (cause) {
      throw new OfflineError(`could not reach the server (${(cause as Error).message}); check the network or load the files from disk`, { file: url, cause });
    }
    if (!res.ok) throw new DownloadError(`HTTP ${res.status} ${res.statusText}`, { file: url });
    return new Uint8Array(await res.arrayBuffer());
  }
  if (typeof Blob !== 'undefined' && source instanceof Blob) return new Uint8Array(await source.arrayBuffer());
  return asBytes(source as BytesLike);
}

/** Reads a source and inflates it when it is gzip (.gz IDX files, .tar.gz archives). */
export async function readSourceInflated(source: ByteSource, opts: ReadSourceOptions = {}): Promise<Uint8Array> {
  const name = opts.name ?? sourceName(source);
  return maybeGunzipWeb(await readSource(source, opts), name);
}
