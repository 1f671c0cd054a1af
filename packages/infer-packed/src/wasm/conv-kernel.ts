// The conv and dense kernels in WebAssembly SIMD: the loops of stages/conv.ts (same gather order
// (ky, kx, ci), same float32 rounding per add: f32x4.add rounds each lane as a float32 add does),
// four output channels per instruction, a block of up to 32 channels held in registers while the
// window is gathered (the block's kernel rows are read once per input event). On spikes there are
// two forms: event-driven (conv_spikes) and every bit as a mask over its row (conv_bitmask), which
// wins where most bits are set; the engine measures both at the firing rates it sees. `conv_spikes` visits only the set bits of the packed input
// and adds the kernel row; `conv_float` multiplies real inputs (zeros skipped). Both apply the
// bias and the folded batch norm, lane by lane in the float network's order. A dense layer is the
// same loop: a valid convolution whose window covers every position.
import { forLoop, ifThen, moduleBytes, op, type, whileLoop, type Bytes, type FunctionDef } from './assembler.js';

// Parameters, in call order.
const P = {
  x: 0, k: 1, o: 2, T: 3, inH: 4, inW: 5, stride: 6, cin: 7, outH: 8, outW: 9, cout: 10,
  kh: 11, kw: 12, sh: 13, sw: 14, padTop: 15, padLeft: 16, bias: 17, mean: 18, gamma: 19, beta: 20, norm: 21,
} as const;
const PARAMS = Object.keys(P).length;
// Locals after the parameters: i32, then v128 (vx, then one accumulator per vector of the block).
const L = {
  t: PARAMS, oy: PARAMS + 1, ox: PARAMS + 2, ky: PARAMS + 3, kx: PARAMS + 4, iy: PARAMS + 5, ix: PARAMS + 6,
  w: PARAMS + 7, bits: PARAMS + 8, row: PARAMS + 9, ob: PARAMS + 10, blk: PARAMS + 11, events: PARAMS + 12,
  ib: PARAMS + 13, kb: PARAMS + 14, coutBytes: PARAMS + 15, ci: PARAMS + 16, rowBase: PARAMS + 17, vx: PARAMS + 18,
} as const;
const I32_LOCALS = 18;
const acc = (j: number) => L.vx + 1 + j;

const g = op.get;
const i = op.i32;

/** Address `base + blk + offset` (blk: the block's byte offset within a row of channels). */
const at = (base: number, offset: number): Bytes => [...g(base), ...g(L.blk), ...op.add, ...i(offset), ...op.add];

/** Address `base + 2 * blk + offset` in an array of float64 per channel (the batch norm's divisor and offset). */
const at64 = (base: number, offset: number): Bytes => [...g(base), ...g(L.blk), ...i(1), ...op.shl, ...op.add, ...i(offset), ...op.add];

const LOW_TO_HIGH = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
const JOIN_LOWS = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

/**
 * Bias and folded batch norm on the block's accumulators, then stores them at L.ob. The batch norm
 * as tfjs's wasm kernel computes it: p = (y - mean) * gamma in float32, then p / norm + beta in
 * float64 (two lanes at a time), rounded to float32 once.
 */
function epilogueAndStore(B: number): Bytes {
  const out: Bytes = [];
  const half = (j: number, h: 0 | 1): Bytes => [
    ...op.f64x2PromoteLowF32x4,
    ...at64(P.norm, 32 * j + 16 * h), ...op.v128Load(), ...op.f64x2Div,
    ...at64(P.beta, 32 * j + 16 * h), ...op.v128Load(), ...op.f64x2Add,
    ...op.f32x4DemoteF64x2Zero,
  ];
  for (let j = 0; j < B; j++) {
    out.push(...ifThen(g(P.bias), [...g(acc(j)), ...at(P.bias, 16 * j), ...op.v128Load(), ...op.f32x4Add, ...op.set(acc(j))]));
    out.push(...ifThen(g(P.mean), [
      ...g(acc(j)), ...at(P.mean, 16 * j), ...op.v128Load(), ...op.f32x4Sub,
      ...at(P.gamma, 16 * j), ...op.v128Load(), ...op.f32x4Mul, ...op.set(acc(j)),
      ...g(acc(j)), ...half(j, 0),
      ...g(acc(j)), ...g(acc(j)), ...op.i8x16Shuffle(LOW_TO_HIGH), ...half(j, 1),
      ...op.i8x16Shuffle(JOIN_LOWS), ...op.set(acc(j)),
    ]));
    out.push(...at(L.ob, 16 * j), ...g(acc(j)), ...op.v128Store());
  }
  return out;
}

/** Adds the kernel row's block at L.row (times L.vx for real inputs) to the accumulators; counts it unless the caller counts its rows. */
function accumulateRow(B: number, real: boolean, count = true): Bytes {
  const out: Bytes = [];
  for (let j = 0; j < B; j++) {
    out.push(...g(acc(j)), ...g(L.row), ...op.v128Load(16 * j), ...(real ? [...g(L.vx), ...op.f32x4Mul] : []), ...op.f32x4Add, ...op.set(acc(j)));
  }
  return count ? [...out, ...g(L.events), ...i(1), ...op.add, ...op.set(L.events)] : out;
}

/** The inputs under one kernel tap (iy, ix): set bits of its words, or its nonzero channels. */
/** How a kernel reads its input: set bits one by one, every bit as a mask, or real values. */
type Mode = 'events' | 'bitmask' | 'real';

function tap(B: number, mode: Mode): Bytes {
  const real = mode === 'real';
  // ib: byte address of position (t, iy, ix); kb: the kernel row of channel 0 at this tap.
  const setIb = [...g(L.t), ...g(P.inH), ...op.mul, ...g(L.iy), ...op.add, ...g(P.inW), ...op.mul, ...g(L.ix), ...op.add, ...g(P.stride), ...op.mul, ...i(2), ...op.shl, ...g(P.x), ...op.add, ...op.set(L.ib)];
  const setKb = [...g(L.ky), ...g(P.kw), ...op.mul, ...g(L.kx), ...op.add, ...g(P.cin), ...op.mul, ...op.set(L.kb)];
  const rowOf = (channel: Bytes): Bytes => [...g(L.kb), ...channel, ...op.add, ...g(L.coutBytes), ...op.mul, ...g(P.k), ...op.add, ...g(L.blk), ...op.add, ...op.set(L.row)];
  if (real) {
    const value = [...g(L.ib), ...g(L.ci), ...i(2), ...op.shl, ...op.add, ...op.f32Load()];
    return [...setIb, ...setKb, ...forLoop(L.ci, i(0), g(P.cin), i(1), ifThen([...value, ...op.f32(0), ...op.f32Ne], [
      ...value, ...op.f32x4Splat, ...op.set(L.vx),
      ...rowOf(g(L.ci)),
      ...accumulateRow(B, true),
    ]))];
  }
  const loadBits = [...g(L.ib), ...g(L.w), ...i(2), ...op.shl, ...op.add, ...op.i32Load(), ...op.set(L.bits)];
  if (mode === 'bitmask') {
    // Every channel's row, masked by its bit (all ones or all zeros): adding a masked row adds +0,
    // which leaves a float32 sum as it is, so the sums are those of the event-driven kernel.
    const channels = [...g(P.cin), ...g(L.w), ...i(5), ...op.shl, ...op.sub];
    const upTo = [...i(32), ...channels, ...channels, ...i(32), ...op.gtS, ...op.select];
    const masked: Bytes = [];
    for (let j = 0; j < B; j++) masked.push(...g(acc(j)), ...g(L.row), ...op.v128Load(16 * j), ...g(L.vx), ...op.v128And, ...op.f32x4Add, ...op.set(acc(j)));
    return [...setIb, ...setKb, ...forLoop(L.w, i(0), g(P.stride), i(1), [
      ...loadBits,
      ...g(L.events), ...g(L.bits), ...op.popcnt, ...op.add, ...op.set(L.events),
      ...forLoop(L.ci, i(0), upTo, i(1), [
        ...i(0), ...g(L.bits), ...g(L.ci), ...op.shrU, ...i(1), ...op.and, ...op.sub, ...op.i32x4Splat, ...op.set(L.vx),
        ...rowOf([...g(L.w), ...i(5), ...op.shl, ...g(L.ci), ...op.add]),
        ...masked,
      ]),
    ])];
  }
  // Per word: the events counted at once (popcnt), and the address of its channel 0's row, so
  // that a set bit costs one multiply-add to find its row.
  return [...setIb, ...setKb, ...forLoop(L.w, i(0), g(P.stride), i(1), [
    ...loadBits,
    ...g(L.events), ...g(L.bits), ...op.popcnt, ...op.add, ...op.set(L.events),
    ...rowOf([...g(L.w), ...i(5), ...op.shl]), ...g(L.row), ...op.set(L.rowBase),
    ...whileLoop(g(L.bits), [
      ...g(L.bits), ...op.ctz, ...g(L.coutBytes), ...op.mul, ...g(L.rowBase), ...op.add, ...op.set(L.row),
      // clear the lowest set bit
      ...g(L.bits), ...g(L.bits), ...i(1), ...op.sub, ...op.and, ...op.set(L.bits),
      ...accumulateRow(B, false, false),
    ]),
  ])];
}

function convBody(B: number, mode: Mode): Bytes {
  const window = forLoop(L.ky, i(0), g(P.kh), i(1), [
    ...g(L.oy), ...g(P.sh), ...op.mul, ...g(P.padTop), ...op.sub, ...g(L.ky), ...op.add, ...op.set(L.iy),
    ...ifThen([...g(L.iy), ...g(P.inH), ...op.ltU], forLoop(L.kx, i(0), g(P.kw), i(1), [
      ...g(L.ox), ...g(P.sw), ...op.mul, ...g(P.padLeft), ...op.sub, ...g(L.kx), ...op.add, ...op.set(L.ix),
      ...ifThen([...g(L.ix), ...g(P.inW), ...op.ltU], tap(B, mode)),
    ])),
  ]);
  // One block of 4B output channels: the accumulators stay in registers over the whole window.
  const block = [
    ...Array.from({ length: B }, (_, j) => [...op.v128Zero(), ...op.set(acc(j))]).flat(),
    ...window,
    ...epilogueAndStore(B),
  ];
  const position = [
    ...g(L.t), ...g(P.outH), ...op.mul, ...g(L.oy), ...op.add, ...g(P.outW), ...op.mul, ...g(L.ox), ...op.add, ...g(L.coutBytes), ...op.mul, ...g(P.o), ...op.add, ...op.set(L.ob),
    ...forLoop(L.blk, i(0), g(L.coutBytes), i(16 * B), block),
  ];
  return [
    ...g(P.cout), ...i(2), ...op.shl, ...op.set(L.coutBytes),
    ...i(0), ...op.set(L.events),
    ...forLoop(L.t, i(0), g(P.T), i(1), forLoop(L.oy, i(0), g(P.outH), i(1), forLoop(L.ox, i(0), g(P.outW), i(1), position))),
    ...g(L.events),
  ];
}

const fn = (name: string, B: number, mode: Mode): FunctionDef => ({
  name,
  params: new Array(PARAMS).fill(type.i32),
  results: [type.i32],
  locals: [...new Array(I32_LOCALS).fill(type.i32), type.v128, ...new Array(B).fill(type.v128)],
  body: convBody(B, mode),
});

/** Vectors per block for `cout` channels: the largest divisor of cout / 4 up to 8 (registers to spare). */
export function blockVectors(cout: number): number {
  const vectors = cout / 4;
  for (let b = Math.min(8, vectors); b > 1; b--) if (vectors % b === 0) return b;
  return 1;
}

/** The module's bytes for blocks of B vectors: conv_spikes, conv_bitmask and conv_float, on a memory of `pages` 64 KiB pages imported as env.memory. */
export function convModuleBytes(pages: number, B: number): Uint8Array<ArrayBuffer> {
  return moduleBytes([fn('conv_spikes', B, 'events'), fn('conv_bitmask', B, 'bitmask'), fn('conv_float', B, 'real')], pages);
}

export type ConvKernel = (...args: number[]) => number;

export interface ChannelKernels {
  /** Spikes in, set bits visited one by one (event-driven). */
  spikes: ConvKernel;
  /** Spikes in, every bit applied as a mask (no branches; the work of the dense layer). */
  bitmask: ConvKernel;
  /** Real values in. */
  real: ConvKernel;
  /** Output channels per block: the kernels return events per block, so SynOps = block * events. */
  block: number;
}

export interface ConvKernels {
  /** Kernels whose output channels (a multiple of 4) go in blocks of blockVectors(cout) vectors; each returns the kernel rows added. */
  forChannels(cout: number): Promise<ChannelKernels | undefined>;
}

/**
 * The kernels on `memory`, made per block size on first use (compiled asynchronously: browsers
 * refuse to compile modules over 4 KB synchronously on the main thread); undefined where
 * WebAssembly SIMD is not available.
 */
export function instantiateConvKernels(memory: WebAssembly.Memory): ConvKernels | undefined {
  if (typeof WebAssembly === 'undefined') return undefined;
  const pages = memory.buffer.byteLength / 65536;
  if (!WebAssembly.validate(convModuleBytes(pages, 1))) return undefined;
  const made = new Map<number, Promise<ChannelKernels>>();
  return {
    forChannels(cout) {
      if (cout % 4 !== 0) return Promise.resolve(undefined);
      const B = blockVectors(cout);
      let k = made.get(B);
      if (!k) {
        k = WebAssembly.instantiate(convModuleBytes(pages, B), { env: { memory } }).then(({ instance }) => {
          const e = instance.exports as unknown as { conv_spikes: ConvKernel; conv_bitmask: ConvKernel; conv_float: ConvKernel };
          return { spikes: e.conv_spikes, bitmask: e.conv_bitmask, real: e.conv_float, block: 4 * B };
        });
        made.set(B, k);
      }
      return k;
    },
  };
}
