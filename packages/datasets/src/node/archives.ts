// Extraction of the archives the datasets ship in (.tar.gz, .zip), streaming and zip-slip safe:
// every entry path is checked before anything is written. Entries go to a staging folder that is
// moved into the target only when the whole archive was read, so a failed extraction leaves nothing.
import { closeSync, createReadStream, mkdirSync, openSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createGunzip, inflateRawSync } from 'node:zlib';
import { FormatError } from '../errors.js';
import { EntryTree } from '../formats/entry-tree.js';
import { safeEntrySegments } from '../formats/safe-path.js';
import { TarReader } from '../formats/tar.js';
import { extractStaged } from './staging.js';

export interface ExtractOptions {
  /** Only entries for which this returns true are written (paths use '/'). */
  filter?: (path: string) => boolean;
}

/**
 * Extracts a .tar or .tar.gz into `target`; returns the relative paths of the files written.
 * All or nothing: on any error nothing new appears in `target`.
 */
export function extractTar(archive: string, target: string, opts: ExtractOptions = {}): Promise<string[]> {
  return extractStaged(target, (stage) => extractTarInto(archive, stage, opts));
}

async function extractTarInto(archive: string, target: string, opts: ExtractOptions): Promise<string[]> {
  const written: string[] = [];
  const tree = new EntryTree(archive);
  let fd: number | undefined;
  let tmp = '';
  let dest = '';
  const reader = new TarReader(archive, {
    entry(e) {
      const segs = safeEntrySegments(e.name, archive);
      const rel = segs.join('/');
      if (segs.length === 0 || (opts.filter && !opts.filter(rel))) return;
      if (e.type === 'directory' || e.type === 'file') tree.add(segs, e.type, e.offset);
      if (e.type === 'directory') mkdirSync(join(target, ...segs), { recursive: true });
      if (e.type !== 'file') return; // links and devices are never needed by the datasets
      dest = join(target, ...segs);
      tmp = `${dest}.extracting`;
      mkdirSync(dirname(dest), { recursive: true });
      fd = openSync(tmp, 'w');
      written.push(rel);
    },
    data(chunk) {
      if (fd !== undefined) writeSync(fd, chunk);
    },
    entryEnd() {
      if (fd === undefined) return;
      closeSync(fd);
      fd = undefined;
      pendingRenames.push([tmp, dest]);
    },
  });
  const pendingRenames: [string, string][] = [];
  const head = await readHead(archive, 2);
  const input = createReadStream(archive);
  const stream = head[0] === 0x1f && head[1] === 0x8b ? input.pipe(createGunzip()) : input;
  try {
    for await (const chunk of stream) {
      reader.push(new Uint8Array(chunk as Buffer));
      while (pendingRenames.length) {
        const [from, to] = pendingRenames.shift()!;
        await rename(from, to);
      }
    }
    reader.end();
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    if (tmp) await rm(tmp, { force: true });
    input.destroy();
    if (err instanceof Error && 'code' in err && String((err as NodeJS.ErrnoException).code).startsWith('Z_')) {
      throw new FormatError(`gzip data is corrupt or truncated (${err.message})`, { file: archive, cause: err });
    }
    throw err;
  }
  return written;
}

async function readHead(path: string, n: number): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = new Uint8Array(n);
    await fh.read(buf, 0, n, 0);
    return buf;
  } finally {
    await fh.close();
  }
}

/**
 * Extracts a .zip (stored or deflated entries, no ZIP64) into `target`, one entry in memory at a
 * time. All or nothing: on any error nothing new appears in `target`.
 */
export function extractZip(archive: string, target: string, opts: ExtractOptions = {}): Promise<string[]> {
  return extractStaged(target, (stage) => extractZipInto(archive, stage, opts));
}

async function extractZipInto(archive: string, target: string, opts: ExtractOptions): Promise<string[]> {
  const fh = await open(archive, 'r');
  try {
    const size = (await fh.stat()).size;
    const tailLen = Math.min(size, 65_557);
    const tail = new Uint8Array(tailLen);
    await fh.read(tail, 0, tailLen, size - tailLen);
    const tv = new DataView(tail.buffer);
    let eocd = -1;
    for (let i = tailLen - 22; i >= 0; i--) {
      if (tv.getUint32(i, true) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new FormatError('not a zip archive (no end-of-central-directory record)', { file: archive, offset: size });
    const count = tv.getUint16(eocd + 10, true);
    const cdSize = tv.getUint32(eocd + 12, true);
    const cdOffset = tv.getUint32(eocd + 16, true);
    if (cdOffset === 0xffffffff || count === 0xffff) throw new FormatError('ZIP64 archives are not supported; unpack it with another tool', { file: archive });
    if (cdOffset + cdSize > size) throw new FormatError('truncated zip archive: central directory lies past the end of the file', { file: archive, offset: cdOffset });
    const cd = new Uint8Array(cdSize);
    await fh.read(cd, 0, cdSize, cdOffset);
    const cv = new DataView(cd.buffer);
    // Check every name before writing anything.
    const entries: { segs: string[]; method: number; flags: number; csize: number; usize: number; local: number; at: number; dir: boolean }[] = [];
    for (let p = 0, k = 0; k < count; k++) {
      if (p + 46 > cdSize || cv.getUint32(p, true) !== 0x02014b50) throw new FormatError(`corrupt zip central directory at entry ${k}`, { file: archive, offset: cdOffset + p });
      const nameLen = cv.getUint16(p + 28, true);
      const name = new TextDecoder().decode(cd.subarray(p + 46, p + 46 + nameLen));
      entries.push({
        segs: safeEntrySegments(name, archive),
        flags: cv.getUint16(p + 8, true),
        method: cv.getUint16(p + 10, true),
        csize: cv.getUint32(p + 20, true),
        usize: cv.getUint32(p + 24, true),
        local: cv.getUint32(p + 42, true),
        at: cdOffset + p,
        dir: name.endsWith('/'),
      });
      p += 46 + nameLen + cv.getUint16(p + 30, true) + cv.getUint16(p + 32, true);
    }
    const written: string[] = [];
    const tree = new EntryTree(archive);
    for (const e of entries) {
      const rel = e.segs.join('/');
      if (e.segs.length === 0 || (opts.filter && !opts.filter(rel))) continue;
      tree.add(e.segs, e.dir ? 'directory' : 'file', e.at);
      const dest = join(target, ...e.segs);
      if (e.dir) {
        mkdirSync(dest, { recursive: true });
        continue;
      }
      if (e.flags & 1) throw new FormatError(`entry "${rel}" is encrypted`, { file: archive, offset: e.at });
      const lh = new Uint8Array(30);
      await fh.read(lh, 0, 30, e.local);
      const lv = new DataView(lh.buffer);
      if (lv.getUint32(0, true) !== 0x04034b50) throw new FormatError(`bad local header for entry "${rel}"`, { file: archive, offset: e.local });
      const start = e.local + 30 + lv.getUint16(26, true) + lv.getUint16(28, true);
      if (start + e.csize > size) throw new FormatError(`truncated zip archive: entry "${rel}" runs past the end of the file`, { file: archive, offset: start });
      const comp = new Uint8Array(e.csize);
      await fh.read(comp, 0, e.csize, start);
      let data: Uint8Array;
      if (e.method === 0) data = comp;
      else if (e.method === 8) {
        try {
          data = inflateRawSync(comp);
        } catch (cause) {
          throw new FormatError(`entry "${rel}": deflate data is corrupt (${(cause as Error).message})`, { file: archive, offset: start, cause });
        }
      } else throw new FormatError(`entry "${rel}" uses compression method ${e.method}; only stored and deflate are supported`, { file: archive, offset: e.at });
      if (data.length !== e.usize) throw new FormatError(`entry "${rel}" inflated to ${data.length} bytes, header says ${e.usize}`, { file: archive, offset: start });
      mkdirSync(dirname(dest), { recursive: true });
      const fd = openSync(`${dest}.extracting`, 'w');
      try {
        writeSync(fd, data);
      } finally {
        closeSync(fd);
      }
      await rename(`${dest}.extracting`, dest);
      written.push(rel);
    }
    return written;
  } finally {
    await fh.close();
  }
}

/** Writes a zip (test fixtures): entries are stored, or deflated when `deflated` (raw deflate of data) is given. */
export function encodeZip(entries: readonly { name: string; data: Uint8Array; deflated?: Uint8Array }[]): Uint8Array {
  const enc = new TextEncoder();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = enc.encode(e.name);
    const lh = new Uint8Array(30 + name.length);
    const lv = new DataView(lh.buffer);
    lv.setUint32(0, 0x04034b50, true);
    const body = e.deflated ?? e.data;
    lv.setUint16(4, 20, true);
    lv.setUint16(8, e.deflated ? 8 : 0, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, e.data.length, true);
    lv.setUint16(26, name.length, true);
    lh.set(name, 30);
    const ch = new Uint8Array(46 + name.length);
    const cv = new DataView(ch.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(10, e.deflated ? 8 : 0, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, e.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    ch.set(name, 46);
    locals.push(lh, body);
    centrals.push(ch);
    offset += lh.length + body.length;
  }
  const cdSize = centrals.reduce((s, c) => s + c.length, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const all = [...locals, ...centrals, eocd];
  const out = new Uint8Array(all.reduce((s, c) => s + c.length, 0));
  let at = 0;
  for (const c of all) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
