// N-MNIST / N-Caltech101 ATIS .bin: 5 bytes per event, big-endian bit fields:
//   byte0 = x, byte1 = y, byte2 bit 7 = polarity, byte2 bits 6..0 + byte3 + byte4 = 23-bit timestamp (us).
import { EventRangeError, FormatError } from '../errors.js';
import { allocEvents, type EventStream, type SensorSize } from '../events/types.js';

export const NMNIST_SENSOR: SensorSize = { width: 34, height: 34 };

export function decodeNmnist(bytes: Uint8Array, file: string, sensor: SensorSize = NMNIST_SENSOR): EventStream {
  if (bytes.length % 5 !== 0) {
    const whole = bytes.length - (bytes.length % 5);
    throw new FormatError(`truncated N-MNIST event file: ${bytes.length} bytes is not a multiple of 5 (last event incomplete)`, { file, offset: whole });
  }
  const n = bytes.length / 5;
  const ev = allocEvents(n);
  for (let i = 0, o = 0; i < n; i++, o += 5) {
    const x = bytes[o];
    const y = bytes[o + 1];
    if (x >= sensor.width || y >= sensor.height) {
      throw new EventRangeError(`event ${i} at (x=${x}, y=${y}) lies outside the ${sensor.width}x${sensor.height} sensor`, { file, offset: o });
    }
    const b2 = bytes[o + 2];
    ev.x[i] = x;
    ev.y[i] = y;
    ev.p[i] = b2 >> 7;
    ev.t[i] = ((b2 & 0x7f) << 16) | (bytes[o + 3] << 8) | bytes[o + 4];
  }
  return ev;
}

/** Writes events in the same layout (timestamps must fit 23 bits). */
export function encodeNmnist(e: EventStream): Uint8Array {
  const n = e.t.length;
  const out = new Uint8Array(n * 5);
  for (let i = 0, o = 0; i < n; i++, o += 5) {
    const t = e.t[i];
    if (t < 0 || t > 0x7fffff || e.x[i] > 255 || e.y[i] > 255) throw new FormatError(`event ${i} does not fit the N-MNIST layout (x, y < 256, t < 2^23)`);
    out[o] = e.x[i];
    out[o + 1] = e.y[i];
    out[o + 2] = ((e.p[i] ? 1 : 0) << 7) | ((t >> 16) & 0x7f);
    out[o + 3] = (t >> 8) & 0xff;
    out[o + 4] = t & 0xff;
  }
  return out;
}
