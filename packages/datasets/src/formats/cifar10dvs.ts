// CIFAR10-DVS recordings (AEDAT 2.0 style): '#' header lines, then big-endian pairs of
// (address u32, timestamp u32). Bit layout and orientation as SpikingJelly's CIFAR10DVS loader:
//   xr = (address >> 1) & 0x7F, yr = (address >> 8) & 0x7F, pr = address & 1
//   x = 127 - yr, y = 127 - xr, p = 1 - pr
// i.e. the raw axes are swapped and both mirrored, and the raw polarity bit is inverted, so the
// frames match SpikingJelly's. Every address is decoded (no DVS/APS filtering), as there.
import { FormatError } from '../errors.js';
import { allocEvents, type EventStream } from '../events/types.js';
import { readAsciiHeader } from './ascii-header.js';

export function decodeCifar10Dvs(bytes: Uint8Array, file: string): EventStream {
  const { end } = readAsciiHeader(bytes);
  const body = bytes.length - end;
  if (body % 8 !== 0) {
    throw new FormatError(`truncated CIFAR10-DVS event data: ${body} bytes after the header is not a multiple of 8`, { file, offset: end + body - (body % 8) });
  }
  const n = body / 8;
  const ev = allocEvents(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset + end, body);
  for (let i = 0; i < n; i++) {
    const addr = view.getUint32(i * 8, false);
    ev.x[i] = 127 - ((addr >>> 8) & 0x7f);
    ev.y[i] = 127 - ((addr >>> 1) & 0x7f);
    ev.p[i] = 1 - (addr & 1);
    ev.t[i] = view.getUint32(i * 8 + 4, false);
  }
  return ev;
}

/** Writes events so that decodeCifar10Dvs returns them (inverse of the mapping above). */
export function encodeCifar10Dvs(e: EventStream): Uint8Array {
  const header = new TextEncoder().encode('#!AER-DAT2.0\r\n# This is a raw AE data file - do not edit\r\n# Data format is int32 address, int32 timestamp (8 bytes total)\r\n');
  const n = e.t.length;
  const out = new Uint8Array(header.length + n * 8);
  out.set(header);
  const view = new DataView(out.buffer, header.length);
  for (let i = 0; i < n; i++) {
    if (e.x[i] > 127 || e.y[i] > 127) throw new FormatError(`event ${i} at (${e.x[i]}, ${e.y[i]}) does not fit the 128x128 CIFAR10-DVS sensor`);
    const xr = 127 - e.y[i];
    const yr = 127 - e.x[i];
    const pr = 1 - (e.p[i] ? 1 : 0);
    view.setUint32(i * 8, ((yr << 8) | (xr << 1) | pr) >>> 0, false);
    view.setUint32(i * 8 + 4, e.t[i], false);
  }
  return out;
}
