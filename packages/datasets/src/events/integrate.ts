// Events -> frames as SpikingJelly's integrate_events_by_fixed_frames_number does, with the
// frames laid out [T, H, W, 2] for tfjs (channel 0 = polarity 0 / OFF, channel 1 = ON).
import { EventRangeError, OptionError } from '../errors.js';
import type { EventStream, SensorSize } from './types.js';

export type SplitBy = 'number' | 'time';

export interface FrameOptions extends SensorSize {
  /** Number of frames T (>= 1). */
  frames: number;
  splitBy: SplitBy;
}

export function checkFrameOptions(o: FrameOptions): void {
  if (!Number.isInteger(o.frames) || o.frames < 1) throw new OptionError(`frames must be an integer >= 1, got ${o.frames}`);
  if (o.splitBy !== 'number' && o.splitBy !== 'time') throw new OptionError(`splitBy must be 'number' or 'time', got "${o.splitBy as string}"`);
  if (!(o.width >= 1 && o.height >= 1)) throw new OptionError(`sensor size must be positive, got ${o.width}x${o.height}`);
}

/** First index in t[from, to) whose value is >= v (t sorted ascending). */
function lowerBound(t: Float64Array, v: number, from: number, to: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Event index ranges [jl[i], jr[i]) of each frame.
 * - 'number': d = floor(N / T); frame i takes [i*d, (i+1)*d), the last frame runs to N.
 * - 'time':   dt = floor((t[N-1] - t[0]) / T); frame i takes events with t0 + i*dt <= t < t0 + (i+1)*dt,
 *             the last frame runs to N. Timestamps must be sorted, as recorded.
 * For windows that hold events these equal SpikingJelly's; an empty window gives an empty frame here
 * where SpikingJelly raises.
 */
export function frameSegments(t: Float64Array, splitBy: SplitBy, frames: number): { jl: Int32Array; jr: Int32Array } {
  const n = t.length;
  const jl = new Int32Array(frames);
  const jr = new Int32Array(frames);
  if (splitBy === 'number') {
    const d = Math.floor(n / frames);
    for (let i = 0; i < frames; i++) {
      jl[i] = i * d;
      jr[i] = jl[i] + d;
    }
  } else if (n > 0) {
    const t0 = t[0];
    const dt = Math.floor((t[n - 1] - t0) / frames);
    let from = 0;
    for (let i = 0; i < frames; i++) {
      const tl = t0 + dt * i;
      jl[i] = lowerBound(t, tl, from, n);
      jr[i] = lowerBound(t, tl + dt, jl[i], n);
      from = jl[i];
    }
  }
  jr[frames - 1] = n;
  return { jl, jr };
}

/**
 * Counts events per (frame, y, x, polarity) into `out` (float32 [T, H, W, 2], zeroed here).
 * One pass over the events; throws EventRangeError for events outside the sensor.
 */
export function integrateFrames(e: EventStream, o: FrameOptions, out?: Float32Array, file = '<events>'): Float32Array {
  checkFrameOptions(o);
  const { width: W, height: H, frames: T } = o;
  const size = T * H * W * 2;
  const frames = out ?? new Float32Array(size);
  if (frames.length !== size) throw new OptionError(`output buffer holds ${frames.length} values, frames need ${size}`);
  frames.fill(0);
  const { jl, jr } = frameSegments(e.t, o.splitBy, T);
  const { x, y, p } = e;
  for (let f = 0; f < T; f++) {
    const base = f * H * W * 2;
    for (let i = jl[f]; i < jr[f]; i++) {
      const xi = x[i];
      const yi = y[i];
      if (xi >= W || yi >= H) throw new EventRangeError(`event ${i} at (x=${xi}, y=${yi}) lies outside the ${W}x${H} sensor`, { file });
      frames[base + (yi * W + xi) * 2 + (p[i] === 0 ? 0 : 1)] += 1;
    }
  }
  return frames;
}
