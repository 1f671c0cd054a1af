// Downloads for users who are online: the body goes to `<dest>.part`, which is resumed with a
// Range request after an interruption, verified, and only then renamed to `dest` (atomic).
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { dirname } from 'node:path';
import { ChecksumError, DownloadError, OfflineError, OptionError } from '../errors.js';
import { digestFile, exists, type DigestAlgorithm } from './files.js';

export interface DownloadOptions {
  /** Expected digests of the whole file (lower-case hex). Give at least one for untrusted mirrors. */
  sha256?: string;
  md5?: string;
  /** Abort when no data arrives for this long (default 30 s): a stalled server never hangs the caller. */
  idleTimeoutMs?: number;
  /** Continue an interrupted `.part` file with a Range request (default true). */
  resume?: boolean;
  maxRedirects?: number;
  onProgress?: (received: number, total: number | undefined) => void;
}

const OFFLINE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN']);

function expectedDigests(o: DownloadOptions): [DigestAlgorithm, string][] {
  const out: [DigestAlgorithm, string][] = [];
  if (o.sha256) out.push(['sha256', o.sha256.toLowerCase()]);
  if (o.md5) out.push(['md5', o.md5.toLowerCase()]);
  return out;
}

/** Returns the first digest that does not match, or undefined when all match. */
async function digestMismatch(path: string, o: DownloadOptions): Promise<{ algorithm: string; expected: string; actual: string } | undefined> {
  for (const [algorithm, expected] of expectedDigests(o)) {
    const actual = await digestFile(path, algorithm);
    if (actual !== expected) return { algorithm, expected, actual };
  }
  return undefined;
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

function get(url: string, headers: Record<string, string>, idleTimeoutMs: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      reject(new OptionError(`not a valid URL`, { file: url }));
      return;
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      reject(new OptionError(`only http and https URLs can be downloaded`, { file: url }));
      return;
    }
    const req = (parsed.protocol === 'https:' ? httpsRequest : httpRequest)(parsed, { headers }, resolve);
    req.setTimeout(idleTimeoutMs, () => req.destroy(new DownloadError(`no response for ${idleTimeoutMs} ms`, { file: url })));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof DownloadError) reject(err);
      else if (err.code && OFFLINE_CODES.has(err.code)) {
        reject(new OfflineError(`cannot reach ${parsed.host} (${err.code}): this machine looks offline; put the files in the dataset folder by hand or retry when online`, { file: url, cause: err }));
      } else reject(new DownloadError(`request failed (${err.code ?? err.message})`, { file: url, cause: err }));
    });
    req.end();
  });
}

/** Downloads `url` to `dest` unless `dest` already exists with the expected digest. */
export async function downloadFile(url: string, dest: string, o: DownloadOptions = {}): Promise<string> {
  if (await exists(dest)) {
    if (!(await digestMismatch(dest, o))) return dest;
    await rm(dest, { force: true }); // a stale or corrupt copy: fetch again
  }
  await mkdir(dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  const idle = o.idleTimeoutMs ?? 30_000;
  let current = url;
  for (let hop = 0; ; hop++) {
    const have = o.resume === false ? 0 : await sizeOf(part);
    const res = await get(current, have > 0 ? { Range: `bytes=${have}-` } : {}, idle);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      if (hop >= (o.maxRedirects ?? 5)) throw new DownloadError(`too many redirects`, { file: url });
      current = new URL(res.headers.location, current).href;
      continue;
    }
    if (status === 416 && have > 0) {
      res.resume(); // the .part is already complete (or bogus): the digest check below decides
    } else if (status === 200 || status === 206) {
      const append = status === 206 && have > 0;
      const total = res.headers['content-length'] === undefined ? undefined : Number(res.headers['content-length']) + (append ? have : 0);
      await receive(res, part, append, append ? have : 0, total, current, idle, o);
    } else {
      res.resume();
      throw new DownloadError(`HTTP ${status} ${res.statusMessage ?? ''}`.trim(), { file: current });
    }
    break;
  }
  const bad = await digestMismatch(part, o);
  if (bad) {
    await rm(part, { force: true });
    throw new ChecksumError(`${bad.algorithm} mismatch for the file downloaded to ${dest}: expected ${bad.expected}, got ${bad.actual}; the partial file was deleted`, { file: url });
  }
  await rename(part, dest);
  return dest;
}

async function receive(res: IncomingMessage, part: string, append: boolean, start: number, total: number | undefined, url: string, idle: number, o: DownloadOptions): Promise<void> {
  let received = start;
  res.setTimeout(idle, () => res.destroy(new DownloadError(`stalled: no data for ${idle} ms after ${received} bytes; run again to resume`, { file: url })));
  // Written synchronously chunk by chunk so that every byte received before a failure is on
  // disk: the resume then starts exactly where the transfer stopped.
  const fd = openSync(part, append ? 'a' : 'w');
  try {
    for await (const chunk of res) {
      writeSync(fd, chunk as Buffer);
      received += (chunk as Buffer).length;
      o.onProgress?.(received, total);
    }
  } catch (cause) {
    if (cause instanceof DownloadError) throw cause;
    throw new DownloadError(`transfer interrupted after ${received} bytes (${(cause as Error).message}); the partial file is kept, run again to resume`, { file: url, cause });
  } finally {
    closeSync(fd);
  }
  if (total !== undefined && received < total) {
    throw new DownloadError(`transfer ended early: ${received} of ${total} bytes; the partial file is kept, run again to resume`, { file: url });
  }
}
