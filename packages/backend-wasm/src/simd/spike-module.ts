// Convolutions and dense products whose input is spikes (every value 0 or 1), event-driven in
// WebAssembly SIMD: a spike adds a row of weights, a silent input costs nothing. In the paper's
// networks every convolution but the first and every dense layer reads max-pooled spikes, about
// 10% of them set, so these do a tenth of a dense GEMM's work. The module runs on
// tfjs-backend-wasm's heap (it imports that memory), on the neuron kernels' thread pool.
//
//   spike_mask(x, masks, Ci, M, begin, end)
//     positions q in [begin, end) of x [M, Ci]: bit b of masks[q * words + w] is set where
//     x[q, 32w + b] is 1 (words = ceil(Ci / 32); Ci a multiple of 4). Stops and sets q0 = 1 at the
//     first value that is neither 0 nor 1 (the caller then runs the dense kernel instead).
//   spike_conv_b<B>(lists, counts, scratch, w, out, H, W, Ci, OH, OW, Co, kh, kw, sh, sw, padTop,
//                   padLeft, blk, per, M, begin, end)
//     output pixels p in [begin, end) (M = N * OH * OW): out[p, blk..blk + 4B) = sum over the
//     window's taps (ky, kx) and the spiking channels ci, in that order, of w[ky, kx, ci, blk..]:
//     the order of a dense GEMM over (ky, kx, ci) that adds the zero products too, so the sums
//     are bit for bit those of XNNPACK's convolution. lists/counts: every input position's
//     events (events-module.ts's events_rows: ci * Co * 4 for each spiking ci, 16 entries of
//     padding after the last); each output pixel first gathers its taps' events into one flat
//     list (the chunk's own at scratch + (begin / per) * (kh * kw * Ci + 16) entries), then adds
//     the rows it names: one unpredictable loop exit per pixel instead of one per tap.
//   spike_dw_b<B>(lists, counts, scratch, dy, dw, <geometry as above>, per, M, begin, end)
//     output pixels p in [begin, end), into the chunk's own filter-sized partial sums at dw +
//     (begin / per) filters: dw[ky, kx, ci, blk..] += dy[p, blk..] for every event of the
//     pixel's flat list, pixels in order. The caller adds the chunks' partial sums in chunk order.
// B (1..8) is how many f32x4 accumulators a channel block holds: blocks of up to 32 channels.
import { textModuleBinary, type Binaryen } from './binaryen.js';
import { add, get, inc, locals, mul, params, range, set } from './wat.js';

export const MAX_BLOCK_VECTORS = 8;
const BLOCKS = Array.from({ length: MAX_BLOCK_VECTORS }, (_, i) => i + 1);

/** The functions a spike module exports (the thread pool names them by index). */
export const SPIKE_MODULE_FUNCTIONS = [
  'spike_mask',
  ...BLOCKS.map((b) => `spike_conv_b${b}`),
  ...BLOCKS.map((b) => `spike_dw_b${b}`),
  ...BLOCKS.map((b) => `real_dw_b${b}`),
  'pool_grad',
] as const;
export type SpikeModuleFunction = (typeof SPIKE_MODULE_FUNCTIONS)[number];

const EVENTS = `
  (func $spike_mask (export "spike_mask") ${params(['x', 'masks', 'ci', 'M', 'begin', 'end'])}
    ${locals(['q', 'src', 'dst', 'c', 'word', 'lane'])} (local $v v128) (local $nz v128)
    (global.set $q0 (f64.const 0))
    ${set('q', get('begin'))}
    ${set('src', add(get('x'), `(i32.shl ${mul(get('q'), get('ci'))} (i32.const 2))`))}
    ${set('dst', add(get('masks'), `(i32.shl ${mul(get('q'), `(i32.shr_u ${add(get('ci'), '(i32.const 31)')} (i32.const 5))`)} (i32.const 2))`))}
    (block $done (loop $position
      (br_if $done (i32.ge_s ${get('q')} ${get('end')}))
      ${set('c', '(i32.const 0)')}
      (block $row_done (loop $row
        (br_if $row_done (i32.ge_s ${get('c')} ${get('ci')}))
        ${set('word', '(i32.const 0)')} ${set('lane', '(i32.const 0)')}
        (block $word_done (loop $word_loop
          (br_if $word_done (i32.or (i32.ge_s ${get('c')} ${get('ci')}) (i32.ge_s ${get('lane')} (i32.const 32))))
          (local.set $v (v128.load ${get('src')}))
          (local.set $nz (f32x4.ne (local.get $v) (v128.const i32x4 0 0 0 0)))
          (if (v128.any_true (v128.and (local.get $nz) (f32x4.ne (local.get $v) (v128.const f32x4 1 1 1 1)))) (then
            (global.set $q0 (f64.const 1)) (return)))
          ${set('word', `(i32.or ${get('word')} (i32.shl (i32x4.bitmask (local.get $nz)) ${get('lane')}))`)}
          ${inc('c', '(i32.const 4)')} ${inc('src', '(i32.const 16)')} ${inc('lane', '(i32.const 4)')}
          (br $word_loop)))
        (i32.store ${get('dst')} ${get('word')})
        ${inc('dst', '(i32.const 4)')}
        (br $row)))
      ${inc('q')}
      (br $position))))`;

const GEOMETRY = ['H', 'W', 'Ci', 'OH', 'OW', 'Co', 'kh', 'kw', 'sh', 'sw', 'padTop', 'padLeft', 'blk'];
const I32_LOCALS = ['p', 'n', 'rem', 'oy', 'ox', 'ky', 'kx', 'iy', 'ix', 'q', 'mk', 'tap', 'base', 'row', 'w', 'm', 'ci', 'own',
  'words', 'tapBytes', 'rowBytes', 'r'];

/** Loops over the window taps of output pixel (n, oy, ox) that fall inside the input, running `body` with q and tap set. */
function forTaps(body: string): string {
  return `
      ${set('ky', '(i32.const 0)')}
      (block $ky_done (loop $ky_loop
        (br_if $ky_done (i32.ge_s ${get('ky')} ${get('kh')}))
        ${set('iy', `(i32.sub ${add(mul(get('oy'), get('sh')), get('ky'))} ${get('padTop')})`)}
        (if (i32.lt_u ${get('iy')} ${get('H')}) (then
          ${set('kx', '(i32.const 0)')}
          (block $kx_done (loop $kx_loop
            (br_if $kx_done (i32.ge_s ${get('kx')} ${get('kw')}))
            ${set('ix', `(i32.sub ${add(mul(get('ox'), get('sw')), get('kx'))} ${get('padLeft')})`)}
            (if (i32.lt_u ${get('ix')} ${get('W')}) (then
              ${set('q', add(mul(add(mul(get('n'), get('H')), get('iy')), get('W')), get('ix')))}
              ${set('tap', add(mul(get('ky'), get('kw')), get('kx')))}
              ${body}))
            ${inc('kx')}
            (br $kx_loop)))))
        ${inc('ky')}
        (br $ky_loop)))`;
}

const prologue = `
    ${set('words', `(i32.shr_u ${add(get('Ci'), '(i32.const 31)')} (i32.const 5))`)}
    ${set('rowBytes', `(i32.shl ${get('Co')} (i32.const 2))`)}
    ${set('tapBytes', mul(get('Ci'), get('rowBytes')))}`;

/**
 * Appends the tap's events to the pixel's flat list at $at: the input position q's list (byte
 * offsets ci * rowBytes of its spiking channels, from events_rows) plus tap * tapBytes, 16 entries
 * copied whatever the count (no branch but for more than 16 spikes), $at moved on by the count.
 */
const appendTapEvents = `
              ${set('src', add(get('lists'), `(i32.shl ${mul(get('q'), get('Ci'))} (i32.const 2))`))}
              ${set('cnt', `(i32.shl (i32.load ${add(get('counts'), `(i32.shl ${get('q')} (i32.const 2))`)}) (i32.const 2))`)}
              (local.set $off (i32x4.splat ${mul(get('tap'), get('tapBytes'))}))
              ${range(4).map((j) => `(v128.store offset=${16 * j} ${get('at')} (i32x4.add (v128.load offset=${16 * j} ${get('src')}) (local.get $off)))`).join(' ')}
              (if (i32.gt_u ${get('cnt')} (i32.const 64)) (then
                ${set('j', '(i32.const 64)')}
                (block $more_done (loop $more
                  (br_if $more_done (i32.ge_u ${get('j')} ${get('cnt')}))
                  (v128.store ${add(get('at'), get('j'))} (i32x4.add (v128.load ${add(get('src'), get('j'))}) (local.get $off)))
                  ${inc('j', '(i32.const 16)')}
                  (br $more)))))
              ${inc('at', get('cnt'))}`;

const FLAT_LOCALS = '(local $src i32) (local $cnt i32) (local $j i32) (local $at i32) (local $e i32) (local $list i32) (local $off v128)';
const LIST_PARAMS = ['lists', 'counts', 'scratch'];

/** This chunk's flat list: scratch + (begin / per) * (kh * kw * Ci + 16) entries. */
const chunkList = set('list', add(get('scratch'), `(i32.shl ${mul(`(i32.div_u ${get('begin')} ${get('per')})`, add(mul(mul(get('kh'), get('kw')), get('Ci')), '(i32.const 16)'))} (i32.const 2))`));

/** For each event of the pixel's flat list: `body` with row = base + the event's offset. */
const forListEvents = (body: string): string => `
      ${set('e', get('list'))}
      (block $events_done (loop $event
        (br_if $events_done (i32.ge_u ${get('e')} ${get('at')}))
        ${set('row', add(get('base'), `(i32.load ${get('e')})`))}
        ${body}
        ${inc('e', '(i32.const 4)')}
        (br $event)))`;

/** Moves (n, oy, ox) to the next output pixel. */
const nextPixel = `
      ${inc('ox')}
      (if (i32.eq ${get('ox')} ${get('OW')}) (then
        ${set('ox', '(i32.const 0)')} ${inc('oy')}
        (if (i32.eq ${get('oy')} ${get('OH')}) (then ${set('oy', '(i32.const 0)')} ${inc('n')}))))`;

/** Sets (n, oy, ox) for output pixel p. */
const pixelPosition = `
    ${set('n', `(i32.div_u ${get('p')} ${get('ohw')})`)}
    ${set('rem', `(i32.sub ${get('p')} ${mul(get('n'), get('ohw'))})`)}
    ${set('oy', `(i32.div_u ${get('rem')} ${get('OW')})`)}
    ${set('ox', `(i32.sub ${get('rem')} ${mul(get('oy'), get('OW'))})`)}`;

function conv(B: number): string {
  const acc = (j: number) => `$a${j}`;
  return `
  (func (export "spike_conv_b${B}") ${params([...LIST_PARAMS, 'w0', 'out', ...GEOMETRY, 'per', 'M', 'begin', 'end'])}
    ${locals(I32_LOCALS)} (local $ohw i32) ${FLAT_LOCALS}
    ${range(B).map((j) => `(local ${acc(j)} v128)`).join(' ')}
    (if (i32.ge_s ${get('begin')} ${get('end')}) (then (return)))
    ${prologue}
    ${chunkList}
    ${set('base', add(get('w0'), get('blk')))}
    ${set('ohw', mul(get('OH'), get('OW')))}
    ${set('p', get('begin'))}
    ${pixelPosition}
    (block $done (loop $pixel
      (br_if $done (i32.ge_s ${get('p')} ${get('end')}))
      ${set('at', get('list'))}
      ${forTaps(appendTapEvents)}
      ${range(B).map((j) => `(local.set ${acc(j)} (v128.const i32x4 0 0 0 0))`).join(' ')}
      ${forListEvents(range(B).map((j) => `(local.set ${acc(j)} (f32x4.add (local.get ${acc(j)}) (v128.load offset=${16 * j} ${get('row')})))`).join('\n        '))}
      ${set('row', add(add(get('out'), mul(get('p'), get('rowBytes'))), get('blk')))}
      ${range(B).map((j) => `(v128.store offset=${16 * j} ${get('row')} (local.get ${acc(j)}))`).join(' ')}
      ${nextPixel}
      ${inc('p')}
      (br $pixel))))`;
}

/**
 * A filter-gradient function: output pixels [begin, end) of a chunk into the chunk's own partial
 * filter at dw + (begin / per) filters (zeroed first; an empty chunk, with more threads than
 * chunks, owns none), dy's row of each pixel in $g0.. and `tapBody` run for each tap the window
 * reads (q, tap set).
 */
function filterGradientFunction(name: string, inputs: string[], extraLocals: string, B: number, tapBody: string, hooks: { setup?: string; beforeTaps?: string; afterTaps?: string } = {}): string {
  const g = (j: number) => `$g${j}`;
  return `
  (func (export "${name}") ${params([...inputs, 'dy', 'dw', ...GEOMETRY, 'per', 'M', 'begin', 'end'])}
    ${locals(I32_LOCALS)} (local $ohw i32) ${extraLocals}
    ${range(B).map((j) => `(local ${g(j)} v128)`).join(' ')}
    (if (i32.ge_s ${get('begin')} ${get('end')}) (then (return)))
    ${prologue}
    ${set('dw', add(get('dw'), mul(`(i32.div_u ${get('begin')} ${get('per')})`, mul(mul(get('kh'), get('kw')), get('tapBytes')))))}
    ${set('r', '(i32.const 0)')}
    (block $zeroed (loop $zero
      (br_if $zeroed (i32.ge_s ${get('r')} ${mul(mul(get('kh'), get('kw')), get('Ci'))}))
      ${set('row', add(add(get('dw'), mul(get('r'), get('rowBytes'))), get('blk')))}
      ${range(B).map((j) => `(v128.store offset=${16 * j} ${get('row')} (v128.const i32x4 0 0 0 0))`).join(' ')}
      ${inc('r')}
      (br $zero)))
    ${hooks.setup ?? ''}
    ${set('ohw', mul(get('OH'), get('OW')))}
    ${set('p', get('begin'))}
    ${pixelPosition}
    (block $done (loop $pixel
      (br_if $done (i32.ge_s ${get('p')} ${get('end')}))
      ${set('row', add(add(get('dy'), mul(get('p'), get('rowBytes'))), get('blk')))}
      ${range(B).map((j) => `(local.set ${g(j)} (v128.load offset=${16 * j} ${get('row')}))`).join(' ')}
      ${hooks.beforeTaps ?? ''}
      ${forTaps(tapBody)}
      ${hooks.afterTaps ?? ''}
      ${nextPixel}
      ${inc('p')}
      (br $pixel))))`;
}

/** spike_dw_b<B>: each spiking channel ci of each tap's input adds dy's row to filter row (tap, ci), by the pixel's flat list. */
function filterGradient(B: number): string {
  return filterGradientFunction(`spike_dw_b${B}`, LIST_PARAMS, FLAT_LOCALS, B, appendTapEvents, {
    setup: `${chunkList} ${set('base', add(get('dw'), get('blk')))}`,
    beforeTaps: set('at', get('list')),
    afterTaps: forListEvents(range(B).map((j) => `(v128.store offset=${16 * j} ${get('row')} (f32x4.add (v128.load offset=${16 * j} ${get('row')}) (local.get $g${j})))`).join('\n        ')),
  });
}

/**
 * real_dw_b<B>: spike_dw for real-valued inputs with few channels (a first convolution reading
 * images): the same chunks and partial sums, each input value x[q, ci] that is not 0 adding
 * x * dy[p, blk..] to its filter row.
 */
function realFilterGradient(B: number): string {
  return filterGradientFunction(`real_dw_b${B}`, ['x'], '(local $src i32) (local $c i32) (local $v v128)', B, `
              ${set('src', add(get('x'), `(i32.shl ${mul(get('q'), get('Ci'))} (i32.const 2))`))}
              ${set('base', add(add(get('dw'), mul(get('tap'), get('tapBytes'))), get('blk')))}
              ${set('c', '(i32.const 0)')}
              (block $c_done (loop $c_loop
                (br_if $c_done (i32.ge_s ${get('c')} ${get('Ci')}))
                (if (f32.ne (f32.load ${get('src')}) (f32.const 0)) (then
                  (local.set $v (v128.load32_splat ${get('src')}))
                  ${range(B).map((j) => `(v128.store offset=${16 * j} ${get('base')} (f32x4.add (v128.load offset=${16 * j} ${get('base')}) (f32x4.mul (local.get $v) (local.get $g${j}))))`).join('\n                  ')}))
                ${inc('c')} ${inc('src', '(i32.const 4)')} ${inc('base', get('rowBytes'))}
                (br $c_loop)))`);
}

/**
 * The max-pooling gradient over windows that neither overlap nor cross the input's edge (see
 * max-pool-grad-windows.ts): each window's gradient goes to its first element (row-major) equal to
 * the forward's maximum, chosen with lane masks, four channels at a time.
 */
const POOL_GRAD = `
  (func (export "pool_grad") ${params(['x', 'y', 'dy', 'dx', 'H', 'W', 'C', 'OH', 'OW', 'kh', 'kw', 'sh', 'sw', 'M', 'begin', 'end'])}
    ${locals(['p', 'n', 'rem', 'oy', 'ox', 'ohw', 'base', 'out', 'c', 'a', 'b', 'at'])}
    (local $max v128) (local $g v128) (local $seen v128) (local $e v128)
    ${set('ohw', mul(get('OH'), get('OW')))}
    ${set('p', get('begin'))}
    (block $done (loop $pixel
      (br_if $done (i32.ge_s ${get('p')} ${get('end')}))
      ${set('n', `(i32.div_u ${get('p')} ${get('ohw')})`)}
      ${set('rem', `(i32.sub ${get('p')} ${mul(get('n'), get('ohw'))})`)}
      ${set('oy', `(i32.div_u ${get('rem')} ${get('OW')})`)}
      ${set('ox', `(i32.sub ${get('rem')} ${mul(get('oy'), get('OW'))})`)}
      ${set('base', `(i32.shl ${mul(add(mul(add(mul(get('n'), get('H')), mul(get('oy'), get('sh'))), get('W')), mul(get('ox'), get('sw'))), get('C'))} (i32.const 2))`)}
      ${set('out', `(i32.shl ${mul(get('p'), get('C'))} (i32.const 2))`)}
      ${set('c', '(i32.const 0)')}
      (block $c_done (loop $c_loop
        (br_if $c_done (i32.ge_s ${get('c')} ${get('C')}))
        (local.set $max (v128.load ${add(get('y'), get('out'))}))
        (local.set $g (v128.load ${add(get('dy'), get('out'))}))
        (local.set $seen (v128.const i32x4 0 0 0 0))
        ${set('a', '(i32.const 0)')}
        (block $a_done (loop $a_loop
          (br_if $a_done (i32.ge_s ${get('a')} ${get('kh')}))
          ${set('b', '(i32.const 0)')}
          (block $b_done (loop $b_loop
            (br_if $b_done (i32.ge_s ${get('b')} ${get('kw')}))
            ${set('at', add(get('base'), `(i32.shl ${mul(add(mul(get('a'), get('W')), get('b')), get('C'))} (i32.const 2))`))}
            (local.set $e (f32x4.eq (v128.load ${add(get('x'), get('at'))}) (local.get $max)))
            ;; + 0 turns the -0 of a masked-out lane of a negative gradient into 0, as the other kernels write
            (v128.store ${add(get('dx'), get('at'))}
              (f32x4.add (v128.and (v128.andnot (local.get $e) (local.get $seen)) (local.get $g)) (v128.const i32x4 0 0 0 0)))
            (local.set $seen (v128.or (local.get $seen) (local.get $e)))
            ${inc('b')}
            (br $b_loop)))
          ${inc('a')}
          (br $a_loop)))
        ${inc('c', '(i32.const 4)')}
        ${inc('base', '(i32.const 16)')}
        ${inc('out', '(i32.const 16)')}
        (br $c_loop)))
      ${inc('p')}
      (br $pixel))))`;

/** The module's text (WebAssembly text format). */
export function spikeModuleText(shared: boolean): string {
  return `(module
  (import "env" "memory" (memory 1 ${shared ? '65536 shared' : ''}))
  (global $q0 (export "q0") (mut f64) (f64.const 0))
  ${EVENTS}
  ${POOL_GRAD}
  ${BLOCKS.map(conv).join('\n')}
  ${BLOCKS.map(filterGradient).join('\n')}
  ${BLOCKS.map(realFilterGradient).join('\n')}
)`;
}

/** The module's binary, validated and optimised by binaryen. */
export function spikeModuleBinary(b: Binaryen, shared: boolean): Uint8Array {
  return textModuleBinary(b, spikeModuleText(shared), shared, 'spike module');
}
