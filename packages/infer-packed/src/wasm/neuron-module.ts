// A neuron layer's forward step in WebAssembly SIMD, emitted from its step IR: four neurons (four
// channels of one position) per f32x4, the eight groups of one spike word (32 channels) at a time
// with their states in locals while the loop runs over T, each step's spike word written once. Every operation is the float32 operation spikeflow's
// wasm neuron kernel does (same constants, parameters and invariants as float32, ge as a 1/0
// mask), so the spikes are the float network's. Steps that call exp, log, sigmoid or tanh are not
// emitted here (the JavaScript step runs them).
import { expr, neuronStep } from '@spikeflow/core/backend';
import type { PackableNeuron } from '../snapshot.js';
import { forLoop, moduleBytes, op, type, uleb, type Bytes } from './assembler.js';

type Expr = expr.Expr;
type NeuronIR = PackableNeuron['ir'];

export class NotEmitted extends Error {}

const f32x4Const = (x: number): Bytes => {
  const lane = [...new Uint8Array(new Float32Array([x]).buffer)];
  return [0xfd, ...uleb(0x0c), ...lane, ...lane, ...lane, ...lane];
};

// i32 parameters, then one f32 per invariant and parameter value.
const P = { x: 0, xSteps: 1, T: 2, positions: 3, channels: 4, words: 5, spikes: 6 } as const;
const I32_PARAMS = 7;

/**
 * The module of one neuron layer's step for `channels` channels per position (a multiple of 4):
 * `step(x, xSteps, T, positions, channels, words, spikes, ...values)` writes every spike word and
 * returns the spike count.
 */
export function neuronModuleBytes(ir: NeuronIR, pages: number, channels: number): Uint8Array<ArrayBuffer> {
  const { forward: F } = neuronStep;
  const S = ir.numStates;
  const values = ir.invariants.length + ir.numParams;
  const firstLocal = I32_PARAMS + values;
  const i32Locals = ['p', 'c', 't', 'xAddr', 'bits', 'count', 'addr', 'xStep', 'spikeStep'];
  const L: Record<string, number> = Object.fromEntries(i32Locals.map((n, k) => [n, firstLocal + k]));
  const v128Names: string[] = [];
  const v128 = (name: string): number => {
    let k = v128Names.indexOf(name);
    if (k < 0) {
      k = v128Names.length;
      v128Names.push(name);
    }
    return firstLocal + i32Locals.length + k;
  };
  const invariant = new Map(ir.invariants.map((c, j) => [c.name, j]));
  const emit = (e: Expr): Bytes => {
    const ops: expr.OpEmitters<Bytes> = {
      add: (a, b) => [...a, ...b, ...op.f32x4Add],
      sub: (a, b) => [...a, ...b, ...op.f32x4Sub],
      mul: (a, b) => [...a, ...b, ...op.f32x4Mul],
      div: (a, b) => [...a, ...b, ...op.f32x4Div],
      max: (a, b) => [...a, ...b, ...op.f32x4Max],
      min: (a, b) => [...a, ...b, ...op.f32x4Min],
      ge: (a, b) => [...a, ...b, ...op.f32x4Ge, ...f32x4Const(1), ...op.v128And],
      neg: (a) => [...a, ...op.f32x4Neg],
      abs: (a) => [...a, ...op.f32x4Abs],
      sqrt: (a) => [...a, ...op.f32x4Sqrt],
      square: (a) => [...a, ...a, ...op.f32x4Mul],
      step: (a) => [...a, ...f32x4Const(0), ...op.f32x4Gt, ...f32x4Const(1), ...op.v128And],
      sign: (a) => [...a, ...f32x4Const(0), ...op.f32x4Gt, ...f32x4Const(1), ...op.v128And, ...a, ...f32x4Const(0), ...op.f32x4Lt, ...f32x4Const(1), ...op.v128And, ...op.f32x4Sub],
      exp: () => { throw new NotEmitted('exp'); },
      log: () => { throw new NotEmitted('log'); },
      sigmoid: () => { throw new NotEmitted('sigmoid'); },
      tanh: () => { throw new NotEmitted('tanh'); },
    };
    return expr.walkExpr(e, {
      const: (c) => f32x4Const(c),
      var: (name) => op.get(invariant.has(name) ? v128(`$c${invariant.get(name)}`) : v128(name)),
      param: (k) => op.get(v128(`$p${k}`)),
      ops,
    });
  };
  const g = op.get;
  const i = op.i32;
  // Splats of the invariants and parameters, once per call.
  const setup: Bytes = [
    ...ir.invariants.flatMap((_, j) => [...g(I32_PARAMS + j), ...op.f32x4Splat, ...op.set(v128(`$c${j}`))]),
    ...Array.from({ length: ir.numParams }, (_, k) => [...g(I32_PARAMS + ir.invariants.length + k), ...op.f32x4Splat, ...op.set(v128(`$p${k}`))]).flat(),
    ...i(0), ...op.set(L.count),
    // bytes between the inputs of two steps: 0 when the input is the same at every step
    ...g(P.xSteps), ...i(1), ...op.ne, ...g(P.positions), ...g(P.channels), ...op.mul, ...i(2), ...op.shl, ...op.mul, ...op.set(L.xStep),
    // bytes between a spike word and the same word one step later
    ...g(P.positions), ...g(P.words), ...op.mul, ...i(2), ...op.shl, ...op.set(L.spikeStep),
  ];
  const body = ir.forward.flatMap((s) => [...emit(s.expr), ...op.set(v128(s.name))]);
  // Each group of four channels keeps its state in its own locals; the step's statements work in
  // shared ones (moved in before, out after: register moves).
  const groupState = (gi: number, k: number) => v128(`$s${gi}_${k}`);
  /** One group's step: its four spikes, as bits 4gi..4gi+3 of L.bits. */
  const groupStep = (gi: number): Bytes => [
    ...g(L.xAddr), ...op.v128Load(16 * gi), ...op.set(v128(F.reads.input)),
    ...Array.from({ length: S }, (_, k) => [...g(groupState(gi, k)), ...op.set(v128(F.reads.state(k)))]).flat(),
    ...body,
    ...Array.from({ length: S }, (_, k) => [...g(v128(F.writes.state(k))), ...op.set(groupState(gi, k))]).flat(),
    // the sign bits of (sp > 0): one bit per neuron
    ...g(L.bits), ...g(v128(F.writes.spike)), ...f32x4Const(0), ...op.f32x4Gt, ...op.i32x4Bitmask, ...(gi ? [...i(4 * gi), ...op.shl] : []), ...op.or, ...op.set(L.bits),
  ];
  /**
   * One word of `groups` groups (32 channels, or the last channels of a position) at L.c, over all
   * T: the groups' states stay in locals while the loop runs over T, and each step's word is
   * written once.
   */
  const word = (groups: number): Bytes => [
    ...Array.from({ length: groups }, (_, gi) => Array.from({ length: S }, (_, k) => [...f32x4Const(ir.init[k]), ...op.set(groupState(gi, k))]).flat()).flat(),
    ...g(P.x), ...g(L.p), ...g(P.channels), ...op.mul, ...g(L.c), ...op.add, ...i(2), ...op.shl, ...op.add, ...op.set(L.xAddr),
    ...g(P.spikes), ...g(L.p), ...g(P.words), ...op.mul, ...g(L.c), ...i(5), ...op.shrU, ...op.add, ...i(2), ...op.shl, ...op.add, ...op.set(L.addr),
    ...forLoop(L.t, i(0), g(P.T), i(1), [
      ...i(0), ...op.set(L.bits),
      ...Array.from({ length: groups }, (_, gi) => groupStep(gi)).flat(),
      ...g(L.addr), ...g(L.bits), ...op.i32Store(),
      ...g(L.count), ...g(L.bits), 0x69 /* i32.popcnt */, ...op.add, ...op.set(L.count),
      ...g(L.xAddr), ...g(L.xStep), ...op.add, ...op.set(L.xAddr),
      ...g(L.addr), ...g(L.spikeStep), ...op.add, ...op.set(L.addr),
    ]),
  ];
  const fullWords = Math.floor(channels / 32);
  const tailGroups = (channels % 32) / 4;
  const position: Bytes = [
    ...(fullWords ? forLoop(L.c, i(0), i(32 * fullWords), i(32), word(8)) : []),
    ...(tailGroups ? [...i(32 * fullWords), ...op.set(L.c), ...word(tailGroups)] : []),
  ];
  const code: Bytes = [
    ...setup,
    ...forLoop(L.p, i(0), g(P.positions), i(1), position),
    ...g(L.count),
  ];
  return moduleBytes([{
    name: 'step',
    params: [...new Array(I32_PARAMS).fill(type.i32), ...new Array(values).fill(type.f32)],
    results: [type.i32],
    locals: [...new Array(i32Locals.length).fill(type.i32), ...v128Names.map(() => type.v128)],
    body: code,
  }], pages);
}

export type WasmNeuronStep = (...args: number[]) => number;

/** The step on `memory` (compiled asynchronously), or why it is not emitted (a math function, channels not a multiple of 4, no SIMD). */
export async function instantiateNeuronStep(ir: NeuronIR, memory: WebAssembly.Memory, channels: number): Promise<{ step?: WasmNeuronStep; reason?: string }> {
  if (channels % 4 !== 0) return { reason: `${channels} channels are not a multiple of 4` };
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = neuronModuleBytes(ir, memory.buffer.byteLength / 65536, channels);
  } catch (e) {
    if (e instanceof NotEmitted) return { reason: `its step calls ${e.message}` };
    throw e;
  }
  if (!WebAssembly.validate(bytes)) return { reason: 'this runtime has no WebAssembly SIMD' };
  const { instance } = await WebAssembly.instantiate(bytes, { env: { memory } });
  return { step: (instance.exports as unknown as { step: WasmNeuronStep }).step };
}
