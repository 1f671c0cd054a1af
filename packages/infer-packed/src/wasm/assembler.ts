// A small WebAssembly binary writer: just what the packed kernels need (i32 arithmetic, loops,
// f32 loads and the SIMD f32x4 operations), so the engine builds its module at run time with no
// toolchain or dependency, in Node and in browsers.

export type Bytes = number[];

export function uleb(n: number): Bytes {
  const out: Bytes = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): Bytes {
  const out: Bytes = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

export const type = { i32: 0x7f, f32: 0x7d, v128: 0x7b } as const;
const simd = (op: number): Bytes => [0xfd, ...uleb(op)];
const memarg = (align: number, offset = 0): Bytes => [...uleb(align), ...uleb(offset)];

/** Instructions, each as bytes; operands come from the stack (written before). */
export const op = {
  get: (i: number): Bytes => [0x20, ...uleb(i)],
  set: (i: number): Bytes => [0x21, ...uleb(i)],
  tee: (i: number): Bytes => [0x22, ...uleb(i)],
  i32: (n: number): Bytes => [0x41, ...sleb(n | 0)],
  f32: (x: number): Bytes => {
    const b = new Uint8Array(new Float32Array([x]).buffer);
    return [0x43, ...b];
  },
  i32Load: (offset = 0): Bytes => [0x28, ...memarg(2, offset)],
  i32Store: (offset = 0): Bytes => [0x36, ...memarg(2, offset)],
  f32Load: (offset = 0): Bytes => [0x2a, ...memarg(2, offset)],
  f32Ne: [0x5c],
  eqz: [0x45],
  eq: [0x46],
  ne: [0x47],
  ltS: [0x48],
  ltU: [0x49],
  gtS: [0x4a],
  popcnt: [0x69],
  geS: [0x4e],
  ctz: [0x68],
  add: [0x6a],
  sub: [0x6b],
  mul: [0x6c],
  and: [0x71],
  or: [0x72],
  xor: [0x73],
  shl: [0x74],
  shrU: [0x76],
  drop: [0x1a],
  select: [0x1b],
  ret: [0x0f],
  v128Load: (offset = 0): Bytes => [...simd(0x00), ...memarg(0, offset)],
  v128Store: (offset = 0): Bytes => [...simd(0x0b), ...memarg(0, offset)],
  v128Zero: (): Bytes => [...simd(0x0c), ...new Array(16).fill(0)],
  f32x4Splat: simd(0x13),
  i32x4Splat: simd(0x11),
  f32x4Ge: simd(0x46),
  f32x4Gt: simd(0x44),
  f32x4Lt: simd(0x43),
  v128And: simd(0x4e),
  i32x4Bitmask: simd(0xa4),
  f32x4Abs: simd(0xe0),
  f32x4Neg: simd(0xe1),
  f32x4Sqrt: simd(0xe3),
  f32x4Add: simd(0xe4),
  f32x4Sub: simd(0xe5),
  f32x4Mul: simd(0xe6),
  f32x4Div: simd(0xe7),
  f64x2Add: simd(0xf0),
  f64x2Div: simd(0xf3),
  f64x2PromoteLowF32x4: simd(0x5f),
  f32x4DemoteF64x2Zero: simd(0x5e),
  /** Bytes of the two vectors on the stack (0-15 the first, 16-31 the second), in the order given. */
  i8x16Shuffle: (lanes: number[]): Bytes => [...simd(0x0d), ...lanes],
  f32x4Min: simd(0xe8),
  f32x4Max: simd(0xe9),
} as const;

/** `if (cond) { then }`: cond's bytes leave an i32 on the stack. */
export const ifThen = (cond: Bytes, then: Bytes): Bytes => [...cond, 0x04, 0x40, ...then, 0x0b];

/**
 * `for (i = from; i < to; i += step) body` on i32 local i (to and step as bytes pushing an i32).
 * The body may not branch out of the loop.
 */
export function forLoop(i: number, from: Bytes, to: Bytes, step: Bytes, body: Bytes): Bytes {
  return [
    ...from, ...op.set(i),
    0x02, 0x40, // block
    0x03, 0x40, // loop
    ...op.get(i), ...to, ...op.geS, 0x0d, 1, // br_if out of the block
    ...body,
    ...op.get(i), ...step, ...op.add, ...op.set(i),
    0x0c, 0, // br to the loop
    0x0b, 0x0b,
  ];
}

/** `while (cond) body` (cond pushes an i32). */
export function whileLoop(cond: Bytes, body: Bytes): Bytes {
  return [0x02, 0x40, 0x03, 0x40, ...cond, ...op.eqz, 0x0d, 1, ...body, 0x0c, 0, 0x0b, 0x0b];
}

export interface FunctionDef {
  name: string;
  params: number[];
  results: number[];
  /** Types of the locals after the parameters. */
  locals: number[];
  body: Bytes;
}

const vec = (items: Bytes[]): Bytes => [...uleb(items.length), ...items.flat()];
const section = (id: number, content: Bytes): Bytes => [id, ...uleb(content.length), ...content];
const name = (s: string): Bytes => {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
};

/** A module that imports its memory as env.memory and exports the functions by name. */
export function moduleBytes(functions: FunctionDef[], memoryPages: number): Uint8Array<ArrayBuffer> {
  const types = functions.map((f) => [0x60, ...vec(f.params.map((p) => [p])), ...vec(f.results.map((r) => [r]))]);
  const imports = [[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(memoryPages)]];
  const bodies = functions.map((f) => {
    const locals = vec(f.locals.map((t) => [1, t]));
    const code = [...locals, ...f.body, 0x0b];
    return [...uleb(code.length), ...code];
  });
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(bodies)),
  ]);
}
