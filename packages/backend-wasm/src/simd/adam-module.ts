// Adam's update in WebAssembly SIMD, on tfjs-backend-wasm's heap and the thread pool. It computes in
// float64 (two lanes of f64x2 per half of an f32x4) with the operations of core's host loop
// (adam-host.ts) in the same order, and rounds to float32 only where the loop stores: the results
// are bit for bit the host loop's.
//
//   adam(value, gradient, m, v, outValue, outM, outV, M, begin, end,
//        beta1, keep1, beta2, keep2, rate, invCorrection2, epsilon)
//     elements [begin, end) of [0, M), M a multiple of 4; the last seven arguments are float64.
import { textModuleBinary, type Binaryen } from './binaryen.js';
import { get, inc, locals, params, set } from './wat.js';

/** The functions the module exports (the thread pool names them by index). */
export const ADAM_MODULE_FUNCTIONS = ['adam'] as const;
export type AdamModuleFunction = (typeof ADAM_MODULE_FUNCTIONS)[number];

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

/** The module's text (WebAssembly text format). */
export function adamModuleText(shared: boolean): string {
  return `(module
  (import "env" "memory" (memory 1 ${shared ? '65536 shared' : ''}))
  ${ADAM}
)`;
}

/** The module's binary, validated and optimised by binaryen. */
export function adamModuleBinary(b: Binaryen, shared: boolean): Uint8Array {
  return textModuleBinary(b, adamModuleText(shared), shared, 'Adam module');
}
