// Downloads against a loopback HTTP server serving generated files; nothing leaves 127.0.0.1.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChecksumError, DownloadError, OfflineError, downloadFile, encodeIdx, loadMnist } from '@spikeflow/datasets/node';
import { patternBytes, tempDir } from './helpers.js';

const body = patternBytes(200_000, 31, 5);
const sha256 = createHash('sha256').update(body).digest('hex');
const ranges: (string | undefined)[] = [];
let server: Server;
let base = '';
let dropNext = false;

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '/';
  if (url === '/stall') return; // never answers
  if (url === '/missing') {
    res.writeHead(404).end();
    return;
  }
  if (url === '/moved') {
    res.writeHead(302, { Location: '/file.bin' }).end();
    return;
  }
  if (url.startsWith('/mnist/')) {
    const idx = url.includes('images') ? encodeIdx(patternBytes(2 * 784), [2, 28, 28]) : encodeIdx(Uint8Array.from([4, 2]), [2]);
    res.writeHead(200).end(gzipSync(idx));
    return;
  }
  ranges.push(req.headers.range);
  const m = /bytes=(\d+)-/.exec(req.headers.range ?? '');
  const start = m ? Number(m[1]) : 0;
  const part = body.subarray(start);
  res.writeHead(m ? 206 : 200, { 'Content-Length': part.length });
  if (dropNext) {
    dropNext = false;
    res.write(part.subarray(0, 50_000), () => setTimeout(() => res.destroy(), 50)); // connection dies mid-transfer
    return;
  }
  res.end(part);
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('downloads', () => {
  it('downloads atomically and verifies sha256; a second call uses the file', async () => {
    const dest = join(tempDir(), 'sub', 'file.bin');
    await downloadFile(`${base}/moved`, dest, { sha256 });
    expect(new Uint8Array(readFileSync(dest))).toEqual(body);
    expect(existsSync(`${dest}.part`)).toBe(false);
    const before = ranges.length;
    await downloadFile(`${base}/file.bin`, dest, { sha256 });
    expect(ranges.length).toBe(before); // no request: the verified file was reused
  });

  it('checksum mismatch: clear error, nothing left behind', async () => {
    const dest = join(tempDir(), 'file.bin');
    const err = await downloadFile(`${base}/file.bin`, dest, { sha256: '0'.repeat(64) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChecksumError);
    expect((err as Error).message).toMatch(new RegExp(`${base}/file.bin: sha256 mismatch .*expected 0{64}, got ${sha256}`));
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('an interrupted transfer keeps the .part and the next call resumes with Range', async () => {
    const dest = join(tempDir(), 'file.bin');
    dropNext = true;
    const err = await downloadFile(`${base}/file.bin`, dest, { sha256 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as Error).message).toMatch(/file.bin: transfer (interrupted|ended early).*run again to resume/);
    const kept = readFileSync(`${dest}.part`).length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(body.length);
    await downloadFile(`${base}/file.bin`, dest, { sha256 });
    expect(ranges.at(-1)).toBe(`bytes=${kept}-`);
    expect(new Uint8Array(readFileSync(dest))).toEqual(body);
  });

  it('offline (nothing listening), HTTP errors and stalls give clear errors, never a hang', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const dir = tempDir();
    const off = await downloadFile(`http://127.0.0.1:${port}/x`, join(dir, 'x')).catch((e: unknown) => e);
    expect(off).toBeInstanceOf(OfflineError);
    expect((off as Error).message).toMatch(/ECONNREFUSED.*offline/);
    await expect(downloadFile(`${base}/missing`, join(dir, 'm'))).rejects.toThrow(/missing: HTTP 404/);
    const t0 = Date.now();
    await expect(downloadFile(`${base}/stall`, join(dir, 's'), { idleTimeoutMs: 300 })).rejects.toThrow(/no response for 300 ms/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('loadMnist downloads into the cache from given mirrors (falling back past a dead one)', async () => {
    const cacheDir = tempDir();
    const mirrors = [`${base}/missing/`, `${base}/mnist/`];
    // The built-in digests are the official files' and reject the generated ones...
    await expect(loadMnist({ split: 'test', cacheDir, download: { mirrors } })).rejects.toThrow(/t10k-images-idx3-ubyte.gz: md5 mismatch/);
    // ...which pass with their own digests.
    const sha = (b: Uint8Array) => createHash('sha256').update(gzipSync(b)).digest('hex');
    const digests = {
      't10k-images-idx3-ubyte.gz': { sha256: sha(encodeIdx(patternBytes(2 * 784), [2, 28, 28])) },
      't10k-labels-idx1-ubyte.gz': { sha256: sha(encodeIdx(Uint8Array.from([4, 2]), [2])) },
    };
    const set = await loadMnist({ split: 'test', cacheDir, download: { mirrors, digests }, systemDir: false });
    expect(set.count).toBe(2);
    expect(Array.from(set.labels)).toEqual([4, 2]);
    expect(existsSync(join(cacheDir, 't10k-images-idx3-ubyte.gz'))).toBe(true);
    const again = await loadMnist({ split: 'test', cacheDir }); // now served from the cache, offline
    expect(again.source).toBe(cacheDir);
  });
});
