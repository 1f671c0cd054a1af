// Integrated frames on disk, so epochs after the first read counts instead of re-integrating.
// File: 'SFFR' magic, u32 T, u32 H, u32 W, then raw-deflated float32 [T, H, W, 2] (frames are
// sparse and compress well). Written to a temp file and renamed, so a crash leaves no half file.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { FrameOptions } from '../events/integrate.js';

const MAGIC = 0x53464652; // 'SFFR'

export class FrameCache {
  hits = 0;
  misses = 0;
  constructor(
    readonly root: string,
    private readonly o: FrameOptions,
  ) {}

  /** Folder of one dataset + integration setting: changing T or splitBy never reuses old frames. */
  static folder(base: string, dataset: string, o: FrameOptions): string {
    return join(base, `${dataset}-frames-${o.splitBy}-T${o.frames}-${o.width}x${o.height}`);
  }

  path(id: string): string {
    return join(this.root, `${id}.frames`);
  }

  /** Frames of sample `id`, or undefined when not cached (or the cached file is unusable). */
  async read(id: string): Promise<Float32Array | undefined> {
    let buf: Buffer;
    try {
      buf = await readFile(this.path(id));
    } catch {
      this.misses++;
      return undefined;
    }
    const { frames: T, height: H, width: W } = this.o;
    const size = T * H * W * 2;
    try {
      if (buf.length < 16 || buf.readUInt32BE(0) !== MAGIC || buf.readUInt32BE(4) !== T || buf.readUInt32BE(8) !== H || buf.readUInt32BE(12) !== W) throw new Error('header');
      const raw = inflateRawSync(buf.subarray(16));
      if (raw.length !== size * 4) throw new Error('size');
      this.hits++;
      return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
    } catch {
      this.misses++; // damaged cache entry: re-integrate from the source and overwrite it
      return undefined;
    }
  }

  async write(id: string, frames: Float32Array): Promise<void> {
    const p = this.path(id);
    await mkdir(dirname(p), { recursive: true });
    const head = Buffer.alloc(16);
    head.writeUInt32BE(MAGIC, 0);
    head.writeUInt32BE(this.o.frames, 4);
    head.writeUInt32BE(this.o.height, 8);
    head.writeUInt32BE(this.o.width, 12);
    const body = deflateRawSync(new Uint8Array(frames.buffer, frames.byteOffset, frames.byteLength), { level: 1 });
    const tmp = `${p}.${process.pid}.tmp`;
    await writeFile(tmp, Buffer.concat([head, body]));
    await rename(tmp, p);
  }
}
