// Streaming tar (ustar, GNU long names, pax path) reader: push chunks as they are inflated and get
// entries and their data without holding the archive in memory.
import { concatBytes } from '../bytes.js';
import { FormatError } from '../errors.js';

export interface TarEntry {
  name: string;
  type: 'file' | 'directory' | 'link' | 'other';
  size: number;
  /** Offset of the entry's header in the (uncompressed) tar stream. */
  offset: number;
}

export interface TarHandlers {
  entry(e: TarEntry): void;
  data(chunk: Uint8Array): void;
  entryEnd(): void;
}

const BLOCK = 512;
const dec = new TextDecoder('utf-8');

function cstring(b: Uint8Array, from: number, len: number): string {
  const s = b.subarray(from, from + len);
  const z = s.indexOf(0);
  return dec.decode(z < 0 ? s : s.subarray(0, z));
}

function octal(b: Uint8Array, from: number, len: number): number {
  if (b[from] & 0x80) {
    // GNU base-256 for sizes >= 8 GiB
    let v = b[from] & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + b[from + i];
    return v;
  }
  const s = cstring(b, from, len).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

export class TarReader {
  private pending: Uint8Array = new Uint8Array(0);
  private pos = 0; // stream offset of pending[0]
  private remaining = 0; // data bytes left in the current entry
  private padding = 0;
  private inEntry = false;
  private longName: string | undefined;
  private meta: 'gnu-name' | 'pax' | undefined;
  private metaBuf: Uint8Array[] = [];
  private ended = false;

  constructor(
    private readonly file: string,
    private readonly on: TarHandlers,
  ) {}

  push(chunk: Uint8Array): void {
    this.pending = this.pending.length ? concatBytes([this.pending, chunk]) : chunk;
    let at = 0;
    const b = this.pending;
    while (!this.ended) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, b.length - at);
        if (take === 0) break;
        const part = b.subarray(at, at + take);
        if (this.meta) this.metaBuf.push(part.slice());
        else this.on.data(part);
        this.remaining -= take;
        at += take;
        if (this.remaining > 0) break;
        this.finishEntry();
      }
      if (this.padding > 0) {
        const skip = Math.min(this.padding, b.length - at);
        this.padding -= skip;
        at += skip;
        if (this.padding > 0) break;
      }
      if (b.length - at < BLOCK) break;
      this.header(b.subarray(at, at + BLOCK), this.pos + at);
      at += BLOCK;
    }
    this.pending = b.subarray(at);
    this.pos += at;
  }

  end(): void {
    if (this.remaining > 0 || this.inEntry) {
      throw new FormatError(`truncated tar archive: entry data ends ${this.remaining} bytes early`, { file: this.file, offset: this.pos });
    }
    if (!this.ended && this.pending.some((v) => v !== 0)) {
      throw new FormatError('truncated tar archive: incomplete header at the end', { file: this.file, offset: this.pos });
    }
  }

  private header(h: Uint8Array, offset: number): void {
    if (h.every((v) => v === 0)) {
      this.ended = true; // end-of-archive marker
      return;
    }
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
    const stored = octal(h, 148, 8);
    if (stored !== sum) throw new FormatError(`not a tar archive or corrupt header (checksum ${stored} != ${sum})`, { file: this.file, offset });
    const size = octal(h, 124, 12);
    const flag = String.fromCharCode(h[156] || 0x30);
    const prefix = cstring(h, 257, 6).startsWith('ustar') ? cstring(h, 345, 155) : '';
    let name = prefix ? `${prefix}/${cstring(h, 0, 100)}` : cstring(h, 0, 100);
    this.remaining = size;
    this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if (flag === 'L' || flag === 'x') {
      this.meta = flag === 'L' ? 'gnu-name' : 'pax';
      this.metaBuf = [];
      if (size === 0) this.finishEntry();
      return;
    }
    if (this.longName !== undefined) {
      name = this.longName;
      this.longName = undefined;
    }
    const type = flag === '0' || flag === '7' ? 'file' : flag === '5' ? 'directory' : flag === '1' || flag === '2' ? 'link' : 'other';
    this.inEntry = true;
    this.on.entry({ name, type, size, offset });
    if (size === 0) this.finishEntry();
  }

  private finishEntry(): void {
    if (this.meta) {
      const text = dec.decode(concatBytes(this.metaBuf));
      if (this.meta === 'gnu-name') this.longName = text.replace(/\0+$/, '');
      else {
        const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(text);
        if (m) this.longName = m[1];
      }
      this.meta = undefined;
      return;
    }
    this.inEntry = false;
    this.on.entryEnd();
  }
}

/** Writes a minimal ustar archive (test fixtures; names up to 100 bytes). */
export function encodeTar(entries: readonly { name: string; data?: Uint8Array; type?: 'file' | 'directory' | 'symlink'; linkname?: string }[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const e of entries) {
    const data = e.data ?? new Uint8Array(0);
    const h = new Uint8Array(BLOCK);
    const put = (s: string, at: number, len: number) => h.set(enc.encode(s).subarray(0, len), at);
    put(e.name, 0, 100);
    put('0000644\0', 100, 8);
    put('0000000\0', 108, 8);
    put('0000000\0', 116, 8);
    put(`${data.length.toString(8).padStart(11, '0')}\0`, 124, 12);
    put('00000000000\0', 136, 12);
    h[156] = (e.type === 'directory' ? '5' : e.type === 'symlink' ? '2' : '0').charCodeAt(0);
    if (e.linkname) put(e.linkname, 157, 100);
    put('ustar\0', 257, 6);
    put('00', 263, 2);
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
    put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
    parts.push(h, data, new Uint8Array((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  parts.push(new Uint8Array(BLOCK * 2));
  return concatBytes(parts);
}
