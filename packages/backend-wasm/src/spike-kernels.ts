// The spike path of Conv2D, Conv2DBackpropFilter and BatchMatMul: when the input that multiplies
// the weights is spikes (every value 0 or 1), the product is a sum of weight rows, one per spike
// (simd/spike-module.ts for convolutions, simd/events-module.ts's event lists for dense layers),
// instead of a dense GEMM. The kernels check every input value as they
// index the spikes and give up (undefined: the caller runs the dense kernel) at the first value
// that is not 0 or 1, so they need no hint from the layer and change nothing for real inputs.
import type { TensorInfo } from '@tensorflow/tfjs';
import type { ConvInfo } from './conv-geometry.js';
import { heapAddress, release, reshape, transpose, type BackendWasm } from './wasm-call.js';
import { MAX_BLOCK_VECTORS, spikeModuleBinary, type SpikeModuleFunction } from './simd/spike-module.js';
import { EVENTS_MAX_VECTORS, eventsModuleBinary, type EventsModuleFunction } from './simd/events-module.js';
import { pooledModule, type PooledInstance } from './simd/pooled-module.js';

// Below this many multiply-adds the dense kernel is quick anyway: not worth scanning the input.
const MIN_MACS = 1 << 20;
// Below this many positions (events) or output pixels (products) a call runs on one thread.
const MIN_ITEMS_PER_THREAD = 64;

let enabled = true;
/** How often each path ran (tests check that a path they mean to exercise did). */
const counts = { product: 0, filterGradient: 0, realFilterGradient: 0, poolGrad: 0, denseProduct: 0, denseWeightGradient: 0 };
export const wasmSpikeKernelCounts = (): Readonly<typeof counts> => ({ ...counts });

/**
 * Turns the spike path of the convolution and dense kernels on or off (default on), e.g. to time
 * the dense kernels on the same network. Results differ only in float32 rounding (sum order).
 */
export function setWasmSpikeKernels(on: boolean): void {
  enabled = on;
}

/** Whether the spike path is on (setWasmSpikeKernels). */
export const wasmSpikeKernelsEnabled = (): boolean => enabled;

const spikeModule = pooledModule<SpikeModuleFunction>(spikeModuleBinary, MIN_ITEMS_PER_THREAD);
type Instance = PooledInstance<SpikeModuleFunction>;
const current = spikeModule.current;
const split = spikeModule.split;
/** Runs fn over items [0, M) (the last argument) on the pool; returns q0 summed over the chunks. */
const run = (k: Instance, fn: SpikeModuleFunction, args: number[], threaded = true): number => spikeModule.run(k, fn, args, threaded);

const address = heapAddress;

/** The geometry a spike kernel takes, in its argument order. */
interface Geometry {
  H: number; W: number; Ci: number; OH: number; OW: number; Co: number;
  kh: number; kw: number; sh: number; sw: number; padTop: number; padLeft: number;
  /** Images (conv) or rows (dense). */
  N: number;
}

const geometryArgs = (g: Geometry) => [g.H, g.W, g.Ci, g.OH, g.OW, g.Co, g.kh, g.kw, g.sh, g.sw, g.padTop, g.padLeft];

/** Whether the spike path may run on these shapes (and is worth it). */
function eligible(x: TensorInfo, g: Geometry): boolean {
  return enabled && x.dtype === 'float32' && g.Co % 4 === 0 && g.Ci % 4 === 0 && g.N * g.OH * g.OW * g.Co * g.Ci * g.kh * g.kw >= MIN_MACS;
}

/** The spike masks of x [N*H*W, Ci]; undefined (nothing kept) when a value is not 0 or 1. */
function spikeMasks(backend: BackendWasm, k: Instance, x: TensorInfo, g: Geometry): TensorInfo | undefined {
  const positions = g.N * g.H * g.W;
  const masks = backend.makeOutput([positions * Math.ceil(g.Ci / 32)], 'int32');
  const nonBinary = run(k, 'spike_mask', [address(backend, x), address(backend, masks), g.Ci, positions]);
  if (nonBinary > 0) {
    release(backend, masks);
    return undefined;
  }
  return masks;
}

/** Channel blocks of up to 32 channels: [byte offset, f32x4 vectors]. */
function blocks(Co: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let c = 0; c < Co; c += 4 * MAX_BLOCK_VECTORS) out.push([4 * c, Math.min(MAX_BLOCK_VECTORS, (Co - c) / 4)]);
  return out;
}

/** Every input position's events (byte offsets ci * Co * 4 of its spiking channels, 16 entries of padding at the end) and counts. */
interface PositionEvents { lists: TensorInfo; counts: TensorInfo }

/** x's events by position; undefined (nothing kept) where x is not spikes or the modules are not built. */
function positionEvents(backend: BackendWasm, k: Instance, x: TensorInfo, g: Geometry): PositionEvents | undefined {
  const events = eventsModule.current();
  if (!events) return undefined;
  const masks = spikeMasks(backend, k, x, g);
  if (!masks) return undefined;
  const positions = g.N * g.H * g.W;
  const lists = backend.makeOutput([positions * g.Ci + 16], 'int32');
  const listCounts = backend.makeOutput([positions], 'int32');
  eventsModule.run(events, 'events_rows', [address(backend, masks), address(backend, lists), address(backend, listCounts), Math.ceil(g.Ci / 32), g.Ci, 4 * g.Co, positions]);
  release(backend, masks);
  return { lists, counts: listCounts };
}

/** Each chunk's flat event list of one output pixel (kh * kw * Ci events at most, 16 of slack). */
const scratchFor = (backend: BackendWasm, chunks: number, g: Geometry): TensorInfo => backend.makeOutput([chunks * (g.kh * g.kw * g.Ci + 16)], 'int32');

/** out [N, OH, OW, Co] = conv(x, w) where x is spikes; undefined where the dense kernel must run. */
function spikeProduct(backend: BackendWasm, x: TensorInfo, w: TensorInfo, g: Geometry, outShape: number[]): TensorInfo | undefined {
  if (!eligible(x, g) || w.dtype !== 'float32') return undefined;
  const k = current();
  if (!k) return undefined;
  const events = positionEvents(backend, k, x, g);
  if (!events) return undefined;
  const pixels = g.N * g.OH * g.OW;
  const { chunks, per } = split(k, pixels);
  const scratch = scratchFor(backend, chunks, g);
  const out = backend.makeOutput(outShape, 'float32');
  for (const [blk, B] of blocks(g.Co)) {
    run(k, `spike_conv_b${B}` as SpikeModuleFunction, [address(backend, events.lists), address(backend, events.counts), address(backend, scratch),
      address(backend, w), address(backend, out), ...geometryArgs(g), blk, per, pixels]);
  }
  release(backend, events.lists, events.counts, scratch);
  counts.product++;
  return out;
}

/** dw [kh, kw, Ci, Co] from spikes x and dy [N, OH, OW, Co]; undefined where the dense kernel must run. */
function spikeWeightGradient(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, g: Geometry, outShape: number[]): TensorInfo | undefined {
  if (!eligible(x, g) || dy.dtype !== 'float32') return undefined;
  const k = current();
  if (!k) return undefined;
  const events = positionEvents(backend, k, x, g);
  if (!events) return undefined;
  const dw = filterGradient(backend, k, 'spike_dw_b', (chunks) => {
    const scratch = scratchFor(backend, chunks, g);
    return { args: [address(backend, events.lists), address(backend, events.counts), address(backend, scratch)], temporary: [scratch] };
  }, dy, g, outShape);
  release(backend, events.lists, events.counts);
  counts.filterGradient++;
  return dw;
}

/** A filter-gradient function's leading arguments for a number of chunks, and what to free after. */
type FilterInputs = (chunks: number) => { args: number[]; temporary: TensorInfo[] };

/** Runs a filter-gradient function of the module (its inputs from `inputs`) and adds its chunks' partial sums. */
function filterGradient(backend: BackendWasm, k: Instance, fn: 'spike_dw_b' | 'real_dw_b', inputs: FilterInputs, dy: TensorInfo, g: Geometry, outShape: number[]): TensorInfo {
  // One filter of partial sums per chunk of output pixels, added in chunk order.
  const pixels = g.N * g.OH * g.OW;
  const size = g.kh * g.kw * g.Ci * g.Co;
  // Threads only where their partial sums are small next to dy (a convolution's filter, not a
  // dense layer's weight matrix, which would cost more to zero and add than the work it splits).
  const threaded = 4 * size <= pixels * g.Co;
  const { chunks, per } = split(k, pixels, threaded);
  const { args, temporary } = inputs(chunks);
  const partials = backend.makeOutput(chunks === 1 ? outShape : [chunks * size], 'float32');
  for (const [blk, B] of blocks(g.Co)) {
    run(k, `${fn}${B}` as SpikeModuleFunction, [...args, address(backend, dy), address(backend, partials), ...geometryArgs(g), blk, per, pixels], threaded);
  }
  release(backend, ...temporary);
  if (chunks === 1) return partials;
  const dw = backend.makeOutput(outShape, 'float32');
  const sum = backend.typedArrayFromHeap(dw);
  const parts = backend.typedArrayFromHeap(partials);
  sum.set(parts.subarray(0, size));
  for (let c = 1; c < chunks; c++) {
    const part = parts.subarray(c * size, (c + 1) * size);
    for (let i = 0; i < size; i++) sum[i] += part[i];
  }
  release(backend, partials);
  return dw;
}

function convGeometry(info: ConvInfo): Geometry | undefined {
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined;
  return {
    N: info.batchSize, H: info.inHeight, W: info.inWidth, Ci: info.inChannels, OH: info.outHeight, OW: info.outWidth,
    Co: info.outChannels, kh: info.filterHeight, kw: info.filterWidth, sh: info.strideHeight, sw: info.strideWidth,
    padTop: info.padInfo.top, padLeft: info.padInfo.left,
  };
}

/** A dense product of rows x [rows, Ci] with w [Ci, Co]: the 1x1 convolution. */
const denseGeometry = (rows: number, Ci: number, Co: number): Geometry => ({
  N: rows, H: 1, W: 1, Ci, OH: 1, OW: 1, Co, kh: 1, kw: 1, sh: 1, sw: 1, padTop: 0, padLeft: 0,
});

/** Conv2D of spikes x with filter; undefined where x is not spikes (or the spike path cannot run). */
export function spikeConv2D(backend: BackendWasm, x: TensorInfo, filter: TensorInfo, info: ConvInfo): TensorInfo | undefined {
  const g = convGeometry(info);
  return g && spikeProduct(backend, x, filter, g, info.outShape);
}

// Up to this many input channels a real-valued input's filter gradient runs here (a first
// convolution reading images), instead of as an im2col GEMM.
const REAL_MAX_CHANNELS = 4;

/** Conv2DBackpropFilter for a real-valued x with few channels; undefined where it cannot run. */
export function realConv2DFilterGradient(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: ConvInfo): TensorInfo | undefined {
  const g = convGeometry(info);
  if (!g || !enabled || g.Ci > REAL_MAX_CHANNELS || g.Co % 4 !== 0 || x.dtype !== 'float32' || dy.dtype !== 'float32') return undefined;
  const k = current();
  if (!k) return undefined;
  counts.realFilterGradient++;
  return filterGradient(backend, k, 'real_dw_b', () => ({ args: [address(backend, x)], temporary: [] }), dy, g, [g.kh, g.kw, g.Ci, g.Co]);
}

/** Conv2DBackpropFilter for spikes x; undefined where x is not spikes. */
export function spikeConv2DFilterGradient(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: ConvInfo): TensorInfo | undefined {
  const g = convGeometry(info);
  return g && spikeWeightGradient(backend, x, dy, g, [g.kh, g.kw, g.Ci, g.Co]);
}

// Dense layers go by event lists (simd/events-module.ts): the masks become lists of row offsets
// once, and each output row sums the rows its list names, in the same order as the bit-by-bit path.
const eventsModule = pooledModule<EventsModuleFunction>(eventsModuleBinary, MIN_ITEMS_PER_THREAD);

/**
 * How gatherRows reads src [R, C]: packed group-major (a transposed copy, [C / 32, R, 32]) where C
 * is whole groups of 32, else in place; the byte offset of source row r is r * stride.
 */
interface GatherSource { src: TensorInfo; stride: number; groupBytes: number; packed: boolean }

function gatherSource(backend: BackendWasm, src: TensorInfo, R: number, C: number): GatherSource {
  const width = 4 * EVENTS_MAX_VECTORS;
  if (C % width !== 0 || C === width) return { src, stride: 4 * C, groupBytes: 4 * width, packed: false };
  const grouped = reshape(backend, src, [R, C / width, width]);
  const packed = transpose(backend, grouped, [1, 0, 2]);
  release(backend, grouped);
  return { src: packed, stride: 4 * width, groupBytes: R * 4 * width, packed: true };
}

/** dst [M, C] rows = sums of source rows named by lists (perList entries per item), every channel group. */
function gatherRows(backend: BackendWasm, lists: TensorInfo, listCounts: TensorInfo, perList: number, source: GatherSource, dst: TensorInfo, C: number, M: number): void {
  const k = eventsModule.current()!;
  const full = Math.floor(C / 4 / EVENTS_MAX_VECTORS);
  const rest = (C / 4) % EVENTS_MAX_VECTORS;
  const at = heapAddress(backend, source.src);
  const head = [heapAddress(backend, lists), heapAddress(backend, listCounts), perList];
  const tail = [heapAddress(backend, dst), C];
  if (full > 0) eventsModule.run(k, `gather_b${EVENTS_MAX_VECTORS}` as EventsModuleFunction, [...head, at, source.groupBytes, ...tail, 0, full, M]);
  // (a packed source has no rest: C is whole groups)
  if (rest > 0) eventsModule.run(k, `gather_b${rest}` as EventsModuleFunction, [...head, at + 16 * EVENTS_MAX_VECTORS * full, 0, ...tail, 16 * EVENTS_MAX_VECTORS * full, 1, M]);
  if (source.packed) release(backend, source.src);
}

/** Spike masks of a dense layer's input x [m, k], or undefined (not spikes, or the modules are not built). */
function denseMasks(backend: BackendWasm, x: TensorInfo, g: Geometry): TensorInfo | undefined {
  if (!eligible(x, g)) return undefined;
  const k = current();
  if (!k || !eventsModule.current()) return undefined;
  return spikeMasks(backend, k, x, g);
}

/**
 * A dense product of spikes x [.., m, k] with `other` by event lists: `byRow` (x · w, other [k, n]):
 * for each row of x the weight rows of its spiking inputs; else (xᵀ · dy, other [m, n]): for each
 * input the dy rows where it spikes (built on one thread: a scatter). Undefined where x is not spikes.
 */
function denseByEvents(backend: BackendWasm, x: TensorInfo, other: TensorInfo, byRow: boolean): TensorInfo | undefined {
  const r = x.shape.length;
  const [m, k] = x.shape.slice(-2);
  const n = other.shape[other.shape.length - 1];
  if (other.dtype !== 'float32') return undefined;
  const masks = denseMasks(backend, x, denseGeometry(m, k, n));
  if (!masks) return undefined;
  const [items, perList] = byRow ? [m, k] : [k, m];
  const source = gatherSource(backend, other, perList, n);
  const lists = backend.makeOutput([items * perList], 'int32');
  const listCounts = backend.makeOutput([items], 'int32');
  const eventArgs = [heapAddress(backend, masks), heapAddress(backend, lists), heapAddress(backend, listCounts), Math.ceil(k / 32), k, source.stride, m];
  if (byRow) eventsModule.run(eventsModule.current()!, 'events_rows', eventArgs);
  else eventsModule.current()!.exports.events_cols(...eventArgs);
  const out = backend.makeOutput([...x.shape.slice(0, r - 2), items, n], 'float32');
  gatherRows(backend, lists, listCounts, perList, source, out, n, items);
  release(backend, masks, lists, listCounts);
  if (byRow) counts.denseProduct++;
  else counts.denseWeightGradient++;
  return out;
}

/** x [.., m, k] · w [.., k, n] (one batch each) for spikes x; undefined where x is not spikes. */
export const spikeMatMul = (backend: BackendWasm, x: TensorInfo, w: TensorInfo): TensorInfo | undefined => denseByEvents(backend, x, w, true);

/** xᵀ · dy for spikes x [.., m, k] and dy [.., m, n] (one batch each); undefined where x is not spikes. */
export const spikeMatMulTransposedLeft = (backend: BackendWasm, x: TensorInfo, dy: TensorInfo): TensorInfo | undefined => denseByEvents(backend, x, dy, false);

/** The shape of a max pooling whose windows neither overlap nor cross the input's edge. */
export interface DisjointPool {
  batch: number; inHeight: number; inWidth: number; channels: number; outHeight: number; outWidth: number;
  filterHeight: number; filterWidth: number; strideHeight: number; strideWidth: number;
}

/**
 * dx of disjoint max pooling in wasm SIMD (on the thread pool): false, with nothing written, where
 * it cannot run (channels not a multiple of 4, the module not built); dx elements no window covers
 * are left to the caller.
 */
export function wasmDisjointPoolGrad(backend: BackendWasm, x: TensorInfo, y: TensorInfo, dy: TensorInfo, dx: TensorInfo, s: DisjointPool): boolean {
  if (s.channels % 4 !== 0 || [x, y, dy].some((t) => t.dtype !== 'float32')) return false;
  const k = current();
  if (!k) return false;
  run(k, 'pool_grad', [address(backend, x), address(backend, y), address(backend, dy), address(backend, dx), s.inHeight, s.inWidth,
    s.channels, s.outHeight, s.outWidth, s.filterHeight, s.filterWidth, s.strideHeight, s.strideWidth, s.batch * s.outHeight * s.outWidth]);
  counts.poolGrad++;
  return true;
}
