// exp, log, sigmoid and tanh on f32x4, which WebAssembly SIMD lacks: range reduction and a
// polynomial, each a function of the module (v128) -> v128. Accurate to a few float32 ulp; the
// tests compare them with Math over a wide range.
import { f32x4Const, i32x4Const, Locals, type Binaryen, type Ref, type WasmModule } from './binaryen.js';

export type MathFunction = 'exp' | 'log' | 'sigmoid' | 'tanh';
export const mathFunctionName = (f: MathFunction): string => `$simd_${f}`;

const LOG2E = 1.4426950408889634;
// ln 2 split so that n * LN2_HI is exact for |n| < 2^15 (Cody and Waite).
const LN2_HI = 0.693359375;
const LN2_LO = -2.12194440e-4;
const FLT_MIN = 1.1754943508222875e-38;
/** ln(FLT_MIN) rounded up to a float32: e^x for x at or above it is a normal float. */
const LN_FLT_MIN = Math.fround(-87.33654);
// Taylor coefficients of tanh(x) / x in x^2 (1, -1/3, 2/15, ...), enough for |x| < 0.625.
const TANH_SERIES = [
  1, -1 / 3, 2 / 15, -17 / 315, 62 / 2835, -1382 / 155925, 21844 / 6081075, -929569 / 638512875,
  6404582 / 10854718875, -443861162 / 1856156927625, 18888466084 / 194896477400625,
];
const TANH_SERIES_BELOW = 0.625;

/** A math function's body: its value from the argument `x0`, with `locals(count)` giving new v128 locals. */
type MathBody = (x0: Ref, locals: (count: number) => number[]) => Ref;

/** Adds the functions `fs` need (exp for sigmoid and tanh) to the module. */
export function addMathFunctions(b: Binaryen, mod: WasmModule, fs: Iterable<MathFunction>): void {
  const need = new Set(fs);
  if (need.has('sigmoid') || need.has('tanh')) need.add('exp');
  const v = b.v128;
  const F = (c: number) => f32x4Const(b, mod, c);
  const I = (c: number) => i32x4Const(b, mod, c);
  const f = mod.f32x4;
  const i = mod.i32x4;
  const get = (k: number) => mod.local.get(k, v);
  const call = (name: MathFunction, arg: Ref) => mod.call(mathFunctionName(name), [arg], v);
  /** Horner: c[0] + x (c[1] + x (c[2] + ...)). */
  const horner = (x: () => Ref, c: number[]): Ref => {
    let acc = F(c[c.length - 1]);
    for (let k = c.length - 2; k >= 0; k--) acc = f.add(F(c[k]), f.mul(x(), acc));
    return acc;
  };

  // In the order the functions are added to the module.
  const bodies: Record<MathFunction, MathBody> = {
    exp: (x0, locals) => {
      // e^x = 2^n e^r, n = round(x / ln 2), |r| <= ln 2 / 2; 2^n applied in two halves so that
      // each is a normal float for every n in [-126, 128] (overflow gives inf). Results below the
      // smallest normal float are flushed to 0: arithmetic on subnormals takes a slow path on
      // common CPUs (and WebAssembly cannot turn it off), and a neuron's surrogate gradient would
      // meet them for every neuron far from its threshold.
      const [x, n, r, ni, half] = locals(5);
      const scale = (e: Ref) => i.shl(i.add(e, I(127)), mod.i32.const(23));
      const value = f.mul(
        f.mul(horner(() => get(r), [1, 1, 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720, 1 / 5040]), scale(get(half))),
        scale(i.sub(get(ni), get(half))),
      );
      return mod.block(null, [
        mod.local.set(x, f.min(f.max(x0, F(LN_FLT_MIN)), F(89))),
        mod.local.set(n, f.nearest(f.mul(get(x), F(LOG2E)))),
        mod.local.set(r, f.sub(f.sub(get(x), f.mul(get(n), F(LN2_HI))), f.mul(get(n), F(LN2_LO)))),
        mod.local.set(ni, i.trunc_sat_f32x4_s(get(n))),
        mod.local.set(half, i.shr_s(get(ni), mod.i32.const(1))),
        mod.v128.andnot(value, f.lt(mod.local.get(0, v), F(LN_FLT_MIN))),
      ], v);
    },
    log: (x0, locals) => {
      // x = m 2^e with m in [sqrt(1/2), sqrt(2)); log m = 2 atanh(s), s = (m - 1) / (m + 1).
      const [x, tiny, bits, e, m, big, s, s2, ef, res] = locals(10);
      return mod.block(null, [
        mod.local.set(x, x0),
        // Subnormals: scale by 2^23 first.
        mod.local.set(tiny, f.lt(get(x), F(FLT_MIN))),
        mod.local.set(bits, mod.v128.bitselect(f.mul(get(x), F(8388608)), get(x), get(tiny))),
        mod.local.set(e, i.add(
          i.sub(mod.v128.and(i.shr_u(get(bits), mod.i32.const(23)), I(0xff)), I(127)),
          mod.v128.and(get(tiny), I(-23)),
        )),
        mod.local.set(m, mod.v128.or(mod.v128.and(get(bits), I(0x007fffff)), I(0x3f800000))),
        mod.local.set(big, f.gt(get(m), F(Math.SQRT2))),
        mod.local.set(m, mod.v128.bitselect(f.mul(get(m), F(0.5)), get(m), get(big))),
        mod.local.set(e, i.sub(get(e), get(big))),
        mod.local.set(s, f.div(f.sub(get(m), F(1)), f.add(get(m), F(1)))),
        mod.local.set(s2, f.mul(get(s), get(s))),
        mod.local.set(ef, f.convert_i32x4_s(get(e))),
        // 2s + 2s s^2 (1/3 + s^2/5 + s^4/7 + s^6/9), then + e ln 2 in two parts.
        mod.local.set(res, f.add(
          f.mul(get(ef), F(LN2_HI)),
          f.add(
            f.add(f.mul(get(s), F(2)), f.mul(f.mul(get(s), get(s2)), horner(() => get(s2), [2 / 3, 2 / 5, 2 / 7, 2 / 9]))),
            f.mul(get(ef), F(LN2_LO)),
          ),
        )),
        // log 0 = -inf, log of a negative = NaN, log inf = inf, NaN stays NaN.
        mod.local.set(res, mod.v128.bitselect(F(-Infinity), get(res), f.eq(get(x), F(0)))),
        mod.local.set(res, mod.v128.bitselect(F(NaN), get(res), f.lt(get(x), F(0)))),
        mod.local.set(res, mod.v128.bitselect(get(x), get(res), f.eq(get(x), F(Infinity)))),
        mod.v128.bitselect(get(x), get(res), f.ne(get(x), get(x))),
      ], v);
    },
    sigmoid: (x0) => f.div(F(1), f.add(F(1), call('exp', f.neg(x0)))),
    tanh: (x0, locals) => {
      // Small |x|: the Taylor series (no cancellation); else 1 - 2 / (e^{2|x|} + 1), signed.
      const [x, a, x2] = locals(3);
      const series = f.mul(get(x), horner(() => get(x2), TANH_SERIES));
      const large = f.sub(F(1), f.div(F(2), f.add(call('exp', f.mul(get(a), F(2))), F(1))));
      const signed = mod.v128.or(large, mod.v128.and(get(x), I(-0x80000000)));
      return mod.block(null, [
        mod.local.set(x, x0),
        mod.local.set(a, f.abs(get(x))),
        mod.local.set(x2, f.mul(get(x), get(x))),
        mod.v128.bitselect(series, signed, f.lt(get(a), F(TANH_SERIES_BELOW))),
      ], v);
    },
  };

  for (const name of Object.keys(bodies) as MathFunction[]) {
    if (!need.has(name)) continue;
    const L = new Locals([v]);
    const locals = (count: number) => Array.from({ length: count }, () => L.add(v));
    const code = bodies[name](mod.local.get(0, v), locals);
    mod.addFunction(mathFunctionName(name), b.createType([v]), v, L.varTypes, code);
  }
}
