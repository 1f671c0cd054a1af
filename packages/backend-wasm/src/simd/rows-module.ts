// Kernels over [rows, C] tensors in WebAssembly SIMD, on tfjs-backend-wasm's heap and the neuron
// kernels' thread pool: batch norm for training, and row sums. Batch norm makes two reading passes for the statistics and one writing pass forward, one reading pass
// for the sums and one writing pass backward (the XNNPACK composition makes seven and twelve).
//
// x, dy, y, dx are [rows, C] float32, C a multiple of 4. Rows go in blocks of BN_BLOCK_ROWS; the
// thread pool splits the blocks [0, M) into chunks. Channels go in groups of 4B (B f32x4 vectors),
// nblk groups from byte offset blk: every function reads a block's rows once per group while they
// are in cache.
//
//   bn_stats_b<B>(x, dy, center, partials, C, rows, blk, nblk, M, begin, end)
//     for each block j in [begin, end), with d = x - center (center: [C] float32):
//     partials[j, 0, c] = sum of d, partials[j, 1, c] = sum of d * d over the block's rows
//     (float32 within the block, stored as float64; the caller adds the blocks in order, so the
//     sums do not depend on how many threads ran). dy is not read.
//   bn_grad_stats_b<B>(x, dy, center, partials, ...)
//     the same with partials[j, 0, c] = sum of dy, partials[j, 1, c] = sum of dy * d.
//   bn_apply_b<B>(x, dy, consts, out, ...)
//     consts [4, C] float32 = (m, s, t, -): out = (x - m) * s + t.
//   bn_grad_apply_b<B>(x, dy, consts, out, ...)
//     consts [4, C] float32 = (m, a, b, k): out = a * dy + b * (x - m) + k.
//   nonfinite(x, M, begin, end)
//     elements [begin, end) of x [M] (M a multiple of 4): sets q0 to 1 where any is NaN or
//     infinite (x - x is then NaN, not 0), else 0; branch-free over the elements.
//   add_rows(x, out, rows, M, begin, end)
//     columns [begin, end) of x [rows, M] (M a multiple of 4): out[c] = x[0, c] + x[1, c] + ...,
//     added in row order in float32 (tiles of ADD_TILE columns stay in cache across the rows).
import { textModuleBinary, type Binaryen } from './binaryen.js';
import { add, get, inc, locals, mul, params, range, set } from './wat.js';

/** Rows per block of partial sums. */
export const BN_BLOCK_ROWS = 256;
/** The widest channel group, in f32x4 vectors (16 channels: accumulators stay in registers). */
export const BN_MAX_VECTORS = 4;
const WIDTHS = range(BN_MAX_VECTORS).map((i) => i + 1);

const KINDS = ['bn_stats', 'bn_grad_stats', 'bn_apply', 'bn_grad_apply'] as const;
const ADD_TILE = 512;

/** The functions the module exports (the thread pool names them by index). */
export const ROWS_MODULE_FUNCTIONS = [...KINDS.flatMap((k) => WIDTHS.map((b) => `${k}_b${b}` as const)), 'add_rows' as const, 'nonfinite' as const];
export type RowsModuleFunction = (typeof ROWS_MODULE_FUNCTIONS)[number];

const ARGS = ['x', 'dy', 'consts', 'out', 'C', 'rows', 'blk', 'nblk', 'M', 'begin', 'end'];
const I32 = ['j', 'r', 'r1', 'cb', 'cbEnd', 'px', 'pdy', 'po', 'rowBytes', 'dst'];

const load = (ptr: string, offset: number) => `(v128.load offset=${offset} ${ptr})`;
const vget = (n: string) => `(local.get $${n})`;
const vset = (n: string, v: string) => `(local.set $${n} ${v})`;
const HIGH = '8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15';

/**
 * The loop every function shares: blocks j in [begin, end), channel groups of the block, rows of
 * the block; `group` runs before a group's rows (px, pdy, po point at row r's group), `row` for each
 * row, `after` when the group's rows are done.
 */
function blockLoop(B: number, group: string, row: string, after: string): string {
  return `
    ${set('rowBytes', `(i32.shl ${get('C')} (i32.const 2))`)}
    ${set('cbEnd', add(get('blk'), mul(get('nblk'), `(i32.const ${16 * B})`)))}
    ${set('j', get('begin'))}
    (block $done (loop $block
      (br_if $done (i32.ge_s ${get('j')} ${get('end')}))
      ${set('r1', `(i32.shl ${add(get('j'), '(i32.const 1)')} (i32.const ${Math.log2(BN_BLOCK_ROWS)}))`)}
      (if (i32.gt_s ${get('r1')} ${get('rows')}) (then ${set('r1', get('rows'))}))
      ${set('cb', get('blk'))}
      (block $groups_done (loop $group
        (br_if $groups_done (i32.ge_s ${get('cb')} ${get('cbEnd')}))
        ${set('r', `(i32.shl ${get('j')} (i32.const ${Math.log2(BN_BLOCK_ROWS)}))`)}
        ${set('px', add(add(get('x'), mul(get('r'), get('rowBytes'))), get('cb')))}
        ${set('pdy', add(add(get('dy'), mul(get('r'), get('rowBytes'))), get('cb')))}
        ${set('po', add(add(get('out'), mul(get('r'), get('rowBytes'))), get('cb')))}
        ${group}
        (block $rows_done (loop $row
          (br_if $rows_done (i32.ge_s ${get('r')} ${get('r1')}))
          ${row}
          ${inc('px', get('rowBytes'))} ${inc('pdy', get('rowBytes'))} ${inc('po', get('rowBytes'))} ${inc('r')}
          (br $row)))
        ${after}
        ${inc('cb', `(i32.const ${16 * B})`)}
        (br $group)))
      ${inc('j')}
      (br $block))))`;
}

function stats(B: number, grad: boolean): string {
  const v = (p: string, i: number) => `${p}${i}`;
  const declare = ['c', 's', 'q'].flatMap((p) => range(B).map((i) => `(local $${v(p, i)} v128)`)).join(' ');
  // partials + j * 16C (two float64 rows of C per block) + 2 * cb (the group's float64 offset)
  const store = (acc: string, row: number) => range(B).map((i) => `
        (v128.store offset=${32 * i} ${row ? add(get('dst'), `(i32.shl ${get('C')} (i32.const 3))`) : get('dst')} (f64x2.promote_low_f32x4 (local.get $${v(acc, i)})))
        (v128.store offset=${32 * i + 16} ${row ? add(get('dst'), `(i32.shl ${get('C')} (i32.const 3))`) : get('dst')}
          (f64x2.promote_low_f32x4 (i8x16.shuffle ${HIGH} (local.get $${v(acc, i)}) (local.get $${v(acc, i)}))))`).join('');
  return `
  (func (export "${grad ? 'bn_grad_stats' : 'bn_stats'}_b${B}") ${params(ARGS)}
    ${locals(I32)} ${declare} (local $d v128) (local $g v128)
    ${blockLoop(B,
    range(B).map((i) => `${vset(v('c', i), load(add(get('consts'), get('cb')), 16 * i))}
        ${vset(v('s', i), '(v128.const i32x4 0 0 0 0)')} ${vset(v('q', i), '(v128.const i32x4 0 0 0 0)')}`).join(''),
    range(B).map((i) => `
          ${vset('d', `(f32x4.sub ${load(get('px'), 16 * i)} ${vget(v('c', i))})`)}
          ${grad ? vset('g', load(get('pdy'), 16 * i)) : ''}
          ${vset(v('s', i), `(f32x4.add ${vget(v('s', i))} ${grad ? vget('g') : vget('d')})`)}
          ${vset(v('q', i), `(f32x4.add ${vget(v('q', i))} (f32x4.mul ${grad ? vget('g') : vget('d')} ${vget('d')}))`)}`).join(''),
    `${set('dst', add(add(get('out'), mul(get('j'), `(i32.shl ${get('C')} (i32.const 4))`)), `(i32.shl ${get('cb')} (i32.const 1))`))}
        ${store('s', 0)}
        ${store('q', 1)}`)}`;
}

function apply(B: number, grad: boolean): string {
  const v = (p: string, i: number) => `${p}${i}`;
  const names = ['m', 'a', 'b', 'k'].slice(0, grad ? 4 : 3);
  const declare = names.flatMap((p) => range(B).map((i) => `(local $${v(p, i)} v128)`)).join(' ');
  // consts row `k` of the group: consts + k * 4C + cb
  const constant = (row: number, i: number) =>
    `(v128.load offset=${16 * i} ${add(add(get('consts'), row ? mul(`(i32.const ${row})`, get('rowBytes')) : '(i32.const 0)'), get('cb'))})`;
  return `
  (func (export "${grad ? 'bn_grad_apply' : 'bn_apply'}_b${B}") ${params(ARGS)}
    ${locals(I32)} ${declare} (local $d v128)
    ${blockLoop(B,
    names.map((p, row) => range(B).map((i) => vset(v(p, i), constant(row, i))).join(' ')).join('\n        '),
    range(B).map((i) => `
          ${vset('d', `(f32x4.sub ${load(get('px'), 16 * i)} ${vget(v('m', i))})`)}
          (v128.store offset=${16 * i} ${get('po')} ${grad
    ? `(f32x4.add (f32x4.add (f32x4.mul ${vget(v('a', i))} ${load(get('pdy'), 16 * i)}) (f32x4.mul ${vget(v('b', i))} ${vget('d')})) ${vget(v('k', i))})`
    : `(f32x4.add (f32x4.mul ${vget('d')} ${vget(v('a', i))}) ${vget(v('b', i))})`})`).join(''),
    '')}`;
}

const ADD_ROWS = `
  (func (export "add_rows") ${params(['x', 'out', 'rows', 'M', 'begin', 'end'])}
    ${locals(['c0', 'c1', 'r', 'src', 'dst', 'stop', 'rowBytes'])}
    ${set('rowBytes', `(i32.shl ${get('M')} (i32.const 2))`)}
    ${set('c0', get('begin'))}
    (block $done (loop $tile
      (br_if $done (i32.ge_s ${get('c0')} ${get('end')}))
      ${set('c1', add(get('c0'), `(i32.const ${ADD_TILE})`))}
      (if (i32.gt_s ${get('c1')} ${get('end')}) (then ${set('c1', get('end'))}))
      ${set('stop', add(get('out'), `(i32.shl ${get('c1')} (i32.const 2))`))}
      ;; row 0 copied, then each row added in order
      ${set('src', add(get('x'), `(i32.shl ${get('c0')} (i32.const 2))`))}
      ${set('dst', add(get('out'), `(i32.shl ${get('c0')} (i32.const 2))`))}
      (block $copied (loop $copy
        (br_if $copied (i32.ge_u ${get('dst')} ${get('stop')}))
        (v128.store ${get('dst')} (v128.load ${get('src')}))
        ${inc('src', '(i32.const 16)')} ${inc('dst', '(i32.const 16)')}
        (br $copy)))
      ${set('r', '(i32.const 1)')}
      (block $rows_done (loop $row
        (br_if $rows_done (i32.ge_s ${get('r')} ${get('rows')}))
        ${set('src', add(add(get('x'), mul(get('r'), get('rowBytes'))), `(i32.shl ${get('c0')} (i32.const 2))`))}
        ${set('dst', add(get('out'), `(i32.shl ${get('c0')} (i32.const 2))`))}
        (block $added (loop $add
          (br_if $added (i32.ge_u ${get('dst')} ${get('stop')}))
          (v128.store ${get('dst')} (f32x4.add (v128.load ${get('dst')}) (v128.load ${get('src')})))
          ${inc('src', '(i32.const 16)')} ${inc('dst', '(i32.const 16)')}
          (br $add)))
        ${inc('r')}
        (br $row)))
      ${set('c0', get('c1'))}
      (br $tile))))`;

const NONFINITE = `
  (func (export "nonfinite") ${params(['x', 'M', 'begin', 'end'])}
    ${locals(['at', 'stop'])} (local $v v128) (local $bad v128)
    ${set('at', add(get('x'), `(i32.shl ${get('begin')} (i32.const 2))`))}
    ${set('stop', add(get('x'), `(i32.shl ${get('end')} (i32.const 2))`))}
    (local.set $bad (v128.const i32x4 0 0 0 0))
    (block $done (loop $four
      (br_if $done (i32.ge_u ${get('at')} ${get('stop')}))
      (local.set $v (v128.load ${get('at')}))
      (local.set $bad (v128.or (local.get $bad) (f32x4.ne (f32x4.sub (local.get $v) (local.get $v)) (v128.const i32x4 0 0 0 0))))
      ${inc('at', '(i32.const 16)')}
      (br $four)))
    (global.set $q0 (select (f64.const 1) (f64.const 0) (v128.any_true (local.get $bad)))))`;

/** The module's text (WebAssembly text format). */
export function rowsModuleText(shared: boolean): string {
  return `(module
  (import "env" "memory" (memory 1 ${shared ? '65536 shared' : ''}))
  (global $q0 (export "q0") (mut f64) (f64.const 0))
  ${NONFINITE}
  ${WIDTHS.map((b) => stats(b, false)).join('\n')}
  ${WIDTHS.map((b) => stats(b, true)).join('\n')}
  ${WIDTHS.map((b) => apply(b, false)).join('\n')}
  ${WIDTHS.map((b) => apply(b, true)).join('\n')}
  ${ADD_ROWS}
)`;
}

/** The module's binary, validated and optimised by binaryen. */
export function rowsModuleBinary(b: Binaryen, shared: boolean): Uint8Array {
  return textModuleBinary(b, rowsModuleText(shared), shared, 'rows module');
}
