// AEDAT 3.1 (DVS128 Gesture). After the ASCII header come packets: a 28-byte little-endian header
// (eventType i16, eventSource i16, eventSize i32, eventTSOffset i32, eventTSOverflow i32,
// eventCapacity i32, eventNumber i32, eventValid i32) and eventCapacity * eventSize bytes of events.
// Polarity events (type 1, 8 bytes): data u32 with x = bits 17..31, y = bits 2..16, polarity = bit 1,
// then timestamp u32; the full time is eventTSOverflow * 2^31 + timestamp. Like SpikingJelly, all
// eventCapacity slots are read and the valid bit (bit 0) is not used; other packet types are skipped.
import { concatBytes } from '../bytes.js';
import { EventRangeError, FormatError } from '../errors.js';
import { EventBuffer, type EventStream, type SensorSize } from '../events/types.js';
import { readAsciiHeader } from './ascii-header.js';

export const DVS128_SENSOR: SensorSize = { width: 128, height: 128 };
export const AEDAT_POLARITY_EVENT = 1;
const PACKET_HEADER = 28;
const MAX_HEADER = 1 << 20;

/** Incremental decoder: push chunks as they are read, so a recording streams from disk or network. */
export class Aedat31Decoder {
  private pending: Uint8Array = new Uint8Array(0);
  private consumed = 0; // file offset of pending[0]
  private inHeader = true;
  private readonly events = new EventBuffer();
  constructor(
    private readonly file: string,
    private readonly sensor: SensorSize = DVS128_SENSOR,
  ) {}

  push(chunk: Uint8Array): this {
    this.pending = this.pending.length ? concatBytes([this.pending, chunk]) : chunk;
    if (this.inHeader && !this.readHeader(false)) return this;
    this.readPackets();
    return this;
  }

  end(): EventStream {
    if (this.inHeader) this.readHeader(true);
    this.readPackets();
    if (this.pending.length > 0) {
      throw new FormatError(`truncated AEDAT 3.1 packet: ${this.pending.length} bytes left over at the end of the file`, { file: this.file, offset: this.consumed });
    }
    return this.events.finish();
  }

  private readHeader(final: boolean): boolean {
    const h = readAsciiHeader(this.pending, final);
    if (!h.complete) {
      if (this.pending.length > MAX_HEADER) throw new FormatError('ASCII header longer than 1 MiB: not an AEDAT file', { file: this.file, offset: 0 });
      return false;
    }
    if (!h.lines[0]?.startsWith('#!AER-DAT3')) {
      const seen = h.lines[0] === undefined ? 'no header line' : `"${h.lines[0].slice(0, 40)}"`;
      throw new FormatError(`not an AEDAT 3.x file: first line is ${seen}, expected "#!AER-DAT3.1"`, { file: this.file, offset: 0 });
    }
    this.drop(h.end);
    this.inHeader = false;
    return true;
  }

  private drop(n: number): void {
    this.pending = this.pending.subarray(n);
    this.consumed += n;
  }

  private readPackets(): void {
    const b = this.pending;
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    let pos = 0;
    while (b.length - pos >= PACKET_HEADER) {
      const type = view.getInt16(pos, true);
      const size = view.getInt32(pos + 4, true);
      const overflow = view.getInt32(pos + 12, true);
      const capacity = view.getInt32(pos + 16, true);
      const at = this.consumed + pos;
      if (size <= 0 || capacity < 0) throw new FormatError(`bad packet header: eventSize ${size}, eventCapacity ${capacity}`, { file: this.file, offset: at });
      if (type === AEDAT_POLARITY_EVENT && size !== 8) throw new FormatError(`polarity packet with eventSize ${size}, expected 8`, { file: this.file, offset: at });
      const len = size * capacity;
      if (b.length - pos - PACKET_HEADER < len) break; // wait for the rest of this packet
      if (type === AEDAT_POLARITY_EVENT) this.readPolarity(view, pos + PACKET_HEADER, capacity, overflow);
      pos += PACKET_HEADER + len;
    }
    this.drop(pos);
  }

  private readPolarity(view: DataView, start: number, count: number, overflow: number): void {
    const { width, height } = this.sensor;
    const high = overflow * 2147483648;
    this.events.reserve(count);
    for (let k = 0, o = start; k < count; k++, o += 8) {
      const data = view.getUint32(o, true);
      const x = (data >>> 17) & 0x7fff;
      const y = (data >>> 2) & 0x7fff;
      if (x >= width || y >= height) {
        throw new EventRangeError(`event at (x=${x}, y=${y}) lies outside the ${width}x${height} sensor`, { file: this.file, offset: this.consumed + o });
      }
      this.events.push(x, y, (data >>> 1) & 1, high + view.getUint32(o + 4, true));
    }
  }
}

export function decodeAedat31(bytes: Uint8Array, file: string, sensor: SensorSize = DVS128_SENSOR): EventStream {
  return new Aedat31Decoder(file, sensor).push(bytes).end();
}

export interface Aedat31WriteOptions {
  /** Events per packet (default 4096). */
  packetSize?: number;
  /** Header terminator line: the '#!END-HEADER' of DV/jAER or the older '#End Of ASCII Header'. */
  endMarker?: '#!END-HEADER' | '#End Of ASCII Header';
}

/** Writes polarity events as AEDAT 3.1; timestamps are split into overflow and 31-bit low part. */
export function encodeAedat31(e: EventStream, opts: Aedat31WriteOptions = {}): Uint8Array {
  const header = new TextEncoder().encode(`#!AER-DAT3.1\r\n#Format: RAW\r\n#Source 1: DVS128\r\n${opts.endMarker ?? '#!END-HEADER'}\r\n`);
  const per = opts.packetSize ?? 4096;
  const n = e.t.length;
  const parts: Uint8Array[] = [header];
  let i = 0;
  while (i < n) {
    const overflow = Math.floor(e.t[i] / 2147483648);
    let j = i;
    while (j < n && j - i < per && Math.floor(e.t[j] / 2147483648) === overflow) j++;
    const pkt = new Uint8Array(PACKET_HEADER + (j - i) * 8);
    const v = new DataView(pkt.buffer);
    v.setInt16(0, AEDAT_POLARITY_EVENT, true);
    v.setInt16(2, 1, true);
    v.setInt32(4, 8, true);
    v.setInt32(8, 4, true);
    v.setInt32(12, overflow, true);
    v.setInt32(16, j - i, true);
    v.setInt32(20, j - i, true);
    v.setInt32(24, j - i, true);
    for (let k = i; k < j; k++) {
      const o = PACKET_HEADER + (k - i) * 8;
      v.setUint32(o, ((e.x[k] << 17) | (e.y[k] << 2) | ((e.p[k] ? 1 : 0) << 1) | 1) >>> 0, true);
      v.setUint32(o + 4, e.t[k] - overflow * 2147483648, true);
    }
    parts.push(pkt);
    i = j;
  }
  return concatBytes(parts);
}
