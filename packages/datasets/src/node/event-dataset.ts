// An event-camera dataset split as a BatchSource of integrated frames [T, H, W, 2], with the
// frames cached on disk. Memory stays bounded: one recording's events and one sample's frames
// at a time; everything else lives in the cache.
import type { BatchSource } from '../batching/source.js';
import { checkFrameOptions, integrateFrames, type FrameOptions, type SplitBy } from '../events/integrate.js';
import { sliceEvents, type EventStream, type SensorSize } from '../events/types.js';
import { exists } from './files.js';
import { FrameCache } from './frame-cache.js';
import { defaultCacheDir } from './idx.js';
import { readEventFile, type EventFormat } from './read-events.js';

export interface EventSample {
  /** Unique, path-like id: names the cache file. */
  id: string;
  label: number;
  /** Recording that holds the sample's events. */
  file: string;
  /** Time window [start, end) inside the recording (DVS128 Gesture); whole file when absent. */
  window?: { start: number; end: number };
}

export interface EventDatasetInfo {
  name: string;
  split: 'train' | 'test';
  sensor: SensorSize;
  numClasses: number;
  classNames: readonly string[];
  format: EventFormat;
}

export interface FramesOptions {
  /** Frames per sample (T). */
  frames: number;
  splitBy: SplitBy;
  /** Root of the frame cache; default $SPIKEFLOW_DATA or ~/.cache/spikeflow. false disables it. */
  cacheDir?: string | false;
}

/** Events with start <= t < end, as SpikingJelly cuts DVS128 Gesture (timestamps sorted). */
export function windowEvents(e: EventStream, start: number, end: number): EventStream {
  const lb = (v: number) => {
    let lo = 0;
    let hi = e.t.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (e.t[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return sliceEvents(e, lb(start), lb(end));
}

export class EventDataset implements BatchSource {
  readonly sampleShape: readonly number[];
  readonly timeMajor = true;
  readonly frameOptions: FrameOptions;
  readonly cache: FrameCache | undefined;

  constructor(
    readonly info: EventDatasetInfo,
    readonly samples: readonly EventSample[],
    opts: FramesOptions,
  ) {
    this.frameOptions = { frames: opts.frames, splitBy: opts.splitBy, ...info.sensor };
    checkFrameOptions(this.frameOptions);
    this.sampleShape = [opts.frames, info.sensor.height, info.sensor.width, 2];
    this.cache = opts.cacheDir === false ? undefined : new FrameCache(FrameCache.folder(opts.cacheDir ?? defaultCacheDir('frames'), info.name, this.frameOptions), this.frameOptions);
  }

  get size(): number {
    return this.samples.length;
  }

  get numClasses(): number {
    return this.info.numClasses;
  }

  /** The raw events of sample i (decoded from its recording each call). */
  async events(i: number): Promise<EventStream> {
    const s = this.samples[i];
    const all = await readEventFile(s.file, this.info.format, this.info.sensor);
    return s.window ? windowEvents(all, s.window.start, s.window.end) : all;
  }

  /** Frames [T, H, W, 2] of sample i: from the cache, else integrated (and cached). */
  async frames(i: number): Promise<Float32Array> {
    const s = this.samples[i];
    const hit = await this.cache?.read(s.id);
    if (hit) return hit;
    if (!s.window) {
      const f = integrateFrames(await this.events(i), this.frameOptions, undefined, s.file);
      await this.cache?.write(s.id, f);
      return f;
    }
    // A gesture recording holds many samples: decode it once and cache all of its windows.
    const all = await readEventFile(s.file, this.info.format, this.info.sensor);
    let mine: Float32Array | undefined;
    for (const other of this.samples) {
      if (other.file !== s.file || !other.window) continue;
      const f = integrateFrames(windowEvents(all, other.window.start, other.window.end), this.frameOptions, undefined, other.file);
      if (other === s) mine = f;
      if (this.cache && (other === s || !(await this.isCached(other.id)))) await this.cache.write(other.id, f);
    }
    return mine!;
  }

  private isCached(id: string): Promise<boolean> {
    return exists(this.cache!.path(id));
  }

  async fill(indices: ArrayLike<number>, out: Float32Array, labels: Int32Array): Promise<void> {
    const per = this.sampleShape.reduce((a, b) => a * b, 1);
    for (let b = 0; b < indices.length; b++) {
      const i = indices[b];
      out.set(await this.frames(i), b * per);
      labels[b] = this.samples[i].label;
    }
  }

  /** Integrates every sample into the cache up front (e.g. before the first epoch). */
  async prepare(onProgress?: (done: number, total: number) => void): Promise<void> {
    for (let i = 0; i < this.samples.length; i++) {
      await this.frames(i);
      onProgress?.(i + 1, this.samples.length);
    }
  }
}
