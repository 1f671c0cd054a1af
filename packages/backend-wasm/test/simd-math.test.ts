// The f32x4 approximations of exp, log, sigmoid and tanh in the generated neuron modules, against
// Math (float64) over wide ranges, special values included.
import { beforeAll, describe, expect, it } from 'vitest';
import { Locals, loadBinaryen, type Binaryen } from '../src/simd/binaryen.js';
import { addMathFunctions, mathFunctionName, type MathFunction } from '../src/simd/simd-math.js';

const FUNCTIONS: MathFunction[] = ['exp', 'log', 'sigmoid', 'tanh'];
type Apply = (values: Float32Array) => Float32Array;
let apply: Record<MathFunction, Apply>;

/** A module with its own memory and, per function, apply_<f>(ptr, n): values[i] = f(values[i]). */
function mathModule(b: Binaryen): Record<MathFunction, Apply> {
  const mod = new b.Module();
  mod.setFeatures(b.Features.MVP | b.Features.SIMD128 | b.Features.NontrappingFPToInt);
  mod.setMemory(64, 64, 'memory');
  addMathFunctions(b, mod, FUNCTIONS);
  for (const f of FUNCTIONS) {
    const L = new Locals([b.i32, b.i32]);
    const p = L.add(b.i32);
    const get = (k: number) => mod.local.get(k, b.i32);
    mod.addFunction(`apply_${f}`, b.createType([b.i32, b.i32]), b.none, L.varTypes, mod.block(null, [
      mod.local.set(p, get(0)),
      mod.block('done', [mod.loop('each', mod.block(null, [
        mod.br('done', mod.i32.ge_u(get(p), mod.i32.add(get(0), mod.i32.shl(get(1), mod.i32.const(2))))),
        mod.v128.store(0, 16, get(p), mod.call(mathFunctionName(f), [mod.v128.load(0, 16, get(p))], b.v128)),
        mod.local.set(p, mod.i32.add(get(p), mod.i32.const(16))),
        mod.br('each'),
      ]))]),
    ]));
    mod.addFunctionExport(`apply_${f}`, `apply_${f}`);
  }
  expect(mod.validate()).toBeTruthy();
  mod.optimize();
  const instance = new WebAssembly.Instance(new WebAssembly.Module(mod.emitBinary() as Uint8Array<ArrayBuffer>));
  mod.dispose();
  const memory = instance.exports.memory as WebAssembly.Memory;
  const out = {} as Record<MathFunction, Apply>;
  for (const f of FUNCTIONS) {
    out[f] = (values) => {
      const n = Math.ceil(values.length / 4) * 4;
      if (n * 4 > memory.buffer.byteLength) throw new Error('too many values for the test module');
      const heap = new Float32Array(memory.buffer, 0, n);
      heap.set(values);
      (instance.exports[`apply_${f}`] as (p: number, n: number) => void)(0, n);
      return heap.slice(0, values.length);
    };
  }
  return out;
}

const exact: Record<MathFunction, (x: number) => number> = {
  exp: Math.exp,
  log: Math.log,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
};

const linear = (lo: number, hi: number, n: number) => Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
const logarithmic = (lo: number, hi: number, n: number) => Float32Array.from({ length: n }, (_, i) => lo * (hi / lo) ** (i / (n - 1)));
const ULP = 2 ** -23;

/** Largest |f(x) - exact(x)| / max(|exact(x)|, floor) over the inputs, and where. */
function worst(f: MathFunction, xs: Float32Array, floor = 0): { error: number; at: number } {
  const got = apply[f](xs);
  let error = 0;
  let at = NaN;
  xs.forEach((x, i) => {
    const want = exact[f](x);
    const e = Math.abs(got[i] - want) / Math.max(Math.abs(want), floor);
    if (!(e <= error)) {
      error = e;
      at = x;
    }
  });
  return { error, at };
}

beforeAll(async () => {
  apply = mathModule(await loadBinaryen());
});

describe('SIMD math against Math', () => {
  it('exp: within 2 ulp over [-87, 88], and underflows gracefully below', () => {
    expect(worst('exp', linear(-87, 88, 60_001)).error).toBeLessThan(2 * ULP);
    // Subnormal results: absolute error against the smallest normal float.
    expect(worst('exp', linear(-103, -87, 20_001), 1.1754943508222875e-38).error).toBeLessThan(2 * ULP);
  });

  it('log: within 2 ulp from the smallest subnormal to the largest float, and near 1', () => {
    expect(worst('log', logarithmic(1e-45, 3.4e38, 60_001), 1e-30).error).toBeLessThan(2 * ULP);
    const nearOne = linear(0.5, 2, 30_001);
    const { error } = worst('log', nearOne);
    expect(error).toBeLessThan(2 * ULP);
  });

  it('sigmoid: within 2 ulp over [-80, 80]', () => {
    expect(worst('sigmoid', linear(-80, 80, 60_001)).error).toBeLessThan(2 * ULP);
  });

  it('tanh: within 2 ulp over [-12, 12] and for tiny inputs', () => {
    expect(worst('tanh', linear(-12, 12, 60_001)).error).toBeLessThan(2 * ULP);
    expect(worst('tanh', logarithmic(1e-30, 1, 10_001)).error).toBeLessThan(2 * ULP);
  });

  it('special values follow Math', () => {
    const xs = Float32Array.of(-Infinity, Infinity, NaN, 0, -0, -1, 200, -200);
    for (const f of FUNCTIONS) {
      const got = apply[f](xs);
      xs.forEach((x, i) => expect(got[i] + 0, `${f}(${x})`).toBe(Math.fround(exact[f](x)) + 0));
    }
  });
});
