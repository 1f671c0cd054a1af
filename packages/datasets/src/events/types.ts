// Events of one recording or sample, as parallel typed arrays (struct-of-arrays keeps
// integration a single cache-friendly pass).

export interface EventStream {
  x: Uint16Array;
  y: Uint16Array;
  /** 0 = OFF (brightness decrease), 1 = ON (increase). */
  p: Uint8Array;
  /** Timestamps in microseconds; float64 because AEDAT 3.1 times exceed 32 bits. */
  t: Float64Array;
}

export interface SensorSize {
  width: number;
  height: number;
}

export function eventCount(e: EventStream): number {
  return e.t.length;
}

export function allocEvents(n: number): EventStream {
  return { x: new Uint16Array(n), y: new Uint16Array(n), p: new Uint8Array(n), t: new Float64Array(n) };
}

/** A view of events [from, to) without copying. */
export function sliceEvents(e: EventStream, from: number, to: number): EventStream {
  return { x: e.x.subarray(from, to), y: e.y.subarray(from, to), p: e.p.subarray(from, to), t: e.t.subarray(from, to) };
}

/** Growable event storage for decoders that do not know the count up front. */
export class EventBuffer {
  private ev: EventStream;
  length = 0;
  constructor(capacity = 1 << 16) {
    this.ev = allocEvents(capacity);
  }
  reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.ev.t.length) return;
    const grown = allocEvents(Math.max(need, this.ev.t.length * 2));
    grown.x.set(this.ev.x.subarray(0, this.length));
    grown.y.set(this.ev.y.subarray(0, this.length));
    grown.p.set(this.ev.p.subarray(0, this.length));
    grown.t.set(this.ev.t.subarray(0, this.length));
    this.ev = grown;
  }
  /** Caller must reserve() first; kept unchecked because it runs once per event. */
  push(x: number, y: number, p: number, t: number): void {
    const i = this.length++;
    this.ev.x[i] = x;
    this.ev.y[i] = y;
    this.ev.p[i] = p;
    this.ev.t[i] = t;
  }
  finish(): EventStream {
    return sliceEvents(this.ev, 0, this.length);
  }
}
