// Optimizer updates in WebAssembly SIMD, on tfjs-backend-wasm's heap and the thread pool, each bit
// for bit the arithmetic it replaces.
//
//   adam(value, gradient, m, v, outValue, outM, outV, M, begin, end,
//        beta1, keep1, beta2, keep2, rate, invCorrection2, epsilon)
//     elements [begin, end) of [0, M), M a multiple of 4; the last seven arguments are float64.
//     Computes in float64 (two lanes of f64x2 per half of an f32x4) with the operations of core's
//     host loop (adam-host.ts) in the same order, rounding to float32 only where the loop stores.
//   momentum(value, gradient, acc, outValue, outAcc, M, begin, end, m, c)
//   momentum_nesterov(...)
//     tfjs's MomentumOptimizer in float32, its operations in its order (m the momentum, c minus
//     the learning rate, both float32 values passed as float64):
//     acc' = m * acc + gradient; value' = c * acc' + value, or with Nesterov
//     value' = c * (gradient + acc' * m) + value.
import { textModuleBinary, type Binaryen } from './binaryen.js';
import { get, inc, locals, params, set } from './wat.js';

/** The functions the module exports (the thread pool names them by index). */
export const OPTIMIZER_MODULE_FUNCTIONS = ['adam', 'momentum', 'momentum_nesterov'] as const;
export type OptimizerModuleFunction = (typeof OPTIMIZER_MODULE_FUNCTIONS)[number];

const POINTERS = ['value', 'gradient', 'm', 'v', 'outValue', 'outM', 'outV', 'M', 'begin', 'end'];
const SCALARS = ['beta1', 'keep1', 'beta2', 'keep2', 'rate', 'inv2', 'eps'];
const HIGH = '8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15';
const JOIN = '0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23';

const splat = (n: string) => `(local.set $${n}v (f64x2.splat (local.get $${n})))`;
const v = (n: string) => `(local.get $${n})`;
/** The low (half 0) or high (half 1) two lanes of an f32x4 at ptr + off, as f64x2. */
const load = (ptr: string, half: number) =>
  half === 0 ? `(f64x2.promote_low_f32x4 (v128.load (i32.add ${get(ptr)} ${get('off')})))`
    : `(f64x2.promote_low_f32x4 (i8x16.shuffle ${HIGH} (v128.load (i32.add ${get(ptr)} ${get('off')})) (v128.const i32x4 0 0 0 0)))`;

/** m1, v1 and the new value of one half, in the host loop's order of operations. */
function half(h: number): string {
  return `
      (local.set $g${h} ${load('gradient', h)})
      (local.set $m${h} (f64x2.add (f64x2.mul ${v('beta1v')} ${load('m', h)}) (f64x2.mul ${v('keep1v')} ${v(`g${h}`)})))
      (local.set $v${h} (f64x2.add (f64x2.mul ${v('beta2v')} ${load('v', h)}) (f64x2.mul (f64x2.mul ${v('keep2v')} ${v(`g${h}`)}) ${v(`g${h}`)})))
      (local.set $w${h} (f64x2.sub ${load('value', h)}
        (f64x2.div (f64x2.mul ${v('ratev')} ${v(`m${h}`)}) (f64x2.add (f64x2.sqrt (f64x2.mul ${v(`v${h}`)} ${v('inv2v')})) ${v('epsv')}))))`;
}

const store = (ptr: string, n: string) =>
  `(v128.store (i32.add ${get(ptr)} ${get('off')}) (i8x16.shuffle ${JOIN} (f32x4.demote_f64x2_zero ${v(`${n}0`)}) (f32x4.demote_f64x2_zero ${v(`${n}1`)})))`;

const ADAM = `
  (func (export "adam") ${params(POINTERS)} ${SCALARS.map((s) => `(param $${s} f64)`).join(' ')}
    ${locals(['off', 'stop'])} ${SCALARS.map((s) => `(local $${s}v v128)`).join(' ')}
    ${['g', 'm', 'v', 'w'].flatMap((n) => [0, 1].map((h) => `(local $${n}${h} v128)`)).join(' ')}
    ${SCALARS.map(splat).join(' ')}
    ${set('off', `(i32.shl ${get('begin')} (i32.const 2))`)}
    ${set('stop', `(i32.shl ${get('end')} (i32.const 2))`)}
    (block $done (loop $four
      (br_if $done (i32.ge_u ${get('off')} ${get('stop')}))
      ${half(0)}
      ${half(1)}
      ${store('outM', 'm')}
      ${store('outV', 'v')}
      ${store('outValue', 'w')}
      ${inc('off', '(i32.const 16)')}
      (br $four))))`;

function momentum(nesterov: boolean): string {
  const at = (ptr: string) => `(i32.add ${get(ptr)} ${get('off')})`;
  const value = nesterov
    ? '(f32x4.add (f32x4.mul (local.get $c) (f32x4.add (local.get $g) (f32x4.mul (local.get $a) (local.get $m)))) (local.get $v))'
    : '(f32x4.add (f32x4.mul (local.get $c) (local.get $a)) (local.get $v))';
  return `
  (func (export "${nesterov ? 'momentum_nesterov' : 'momentum'}") ${params(['value', 'gradient', 'acc', 'outValue', 'outAcc', 'M', 'begin', 'end'])} (param $mf f64) (param $cf f64)
    ${locals(['off', 'stop'])} (local $m v128) (local $c v128) (local $a v128) (local $g v128) (local $v v128)
    (local.set $m (f32x4.splat (f32.demote_f64 (local.get $mf))))
    (local.set $c (f32x4.splat (f32.demote_f64 (local.get $cf))))
    ${set('off', `(i32.shl ${get('begin')} (i32.const 2))`)}
    ${set('stop', `(i32.shl ${get('end')} (i32.const 2))`)}
    (block $done (loop $four
      (br_if $done (i32.ge_u ${get('off')} ${get('stop')}))
      (local.set $g (v128.load ${at('gradient')}))
      (local.set $v (v128.load ${at('value')}))
      (local.set $a (f32x4.add (f32x4.mul (local.get $m) (v128.load ${at('acc')})) (local.get $g)))
      (v128.store ${at('outAcc')} (local.get $a))
      (v128.store ${at('outValue')} ${value})
      ${inc('off', '(i32.const 16)')}
      (br $four))))`;
}

/** The module's text (WebAssembly text format). */
export function optimizerModuleText(shared: boolean): string {
  return `(module
  (import "env" "memory" (memory 1 ${shared ? '65536 shared' : ''}))
  ${ADAM}
  ${momentum(false)}
  ${momentum(true)}
)`;
}

/** The module's binary, validated and optimised by binaryen. */
export function optimizerModuleBinary(b: Binaryen, shared: boolean): Uint8Array {
  return textModuleBinary(b, optimizerModuleText(shared), shared, 'optimizer module');
}
