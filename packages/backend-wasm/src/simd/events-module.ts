// Dense layers whose input is spikes, by event lists, in WebAssembly SIMD on tfjs-backend-wasm's
// heap and the thread pool. The spike masks (spike-module.ts's spike_mask) become lists of byte
// offsets once; then every output row is a sum of the source rows its list names, accumulated in
// registers a channel group at a time, the list walked once per group with no branch but the
// loop's own. Where the bit-by-bit kernels walk the mask words again for every group of 32 output
// channels (16 times for 512 units), and the weight gradient adds into memory, this reads each
// list in order and writes every output once.
//
//   events_rows(masks, lists, counts, words, Ci, stride, M, begin, end)
//     rows r in [begin, end) of masks [M, words]: lists[r * Ci + e] = ci * stride for the e-th
//     spiking channel ci of row r, in increasing ci; counts[r] = how many.
//   events_cols(masks, lists, counts, words, Ci, stride, M)
//     the transpose, on one thread: for every channel ci, lists[ci * M + e] = r * stride for the
//     e-th row r (in increasing r) whose channel ci spikes; counts[ci] = how many.
//   gather_b<B>(lists, counts, perList, src, groupBytes, dst, C, blk, nblk, M, begin, end)
//     items i in [begin, end): for the nblk channel groups g of 4B channels of dst from byte
//     offset blk, dst[i, g] = sum over e < counts[i], in order, of the 4B float32 at
//     src + g * groupBytes + lists[i * perList + e] (dst rows: C float32). Groups outside, items
//     inside: a group's part of src stays in cache across the items. src is either row-major
//     [R, C] (groupBytes = 16B, list offsets r * 4C) or packed group-major [groups, R, 4B]
//     (groupBytes = R * 16B, offsets r * 16B): packed, a group's part is contiguous, where rows
//     of a power-of-two length would put every row's part in the same few cache sets.
import { textModuleBinary, type Binaryen } from './binaryen.js';
import { add, forSetBits, get, inc, locals, mul, params, range, set } from './wat.js';

export const EVENTS_MAX_VECTORS = 8;
const WIDTHS = range(EVENTS_MAX_VECTORS).map((i) => i + 1);

/** The functions the module exports (the thread pool names them by index). */
export const EVENTS_MODULE_FUNCTIONS = ['events_rows', 'events_cols', ...WIDTHS.map((b) => `gather_b${b}` as const)] as const;
export type EventsModuleFunction = (typeof EVENTS_MODULE_FUNCTIONS)[number];

const forBits = (body: string): string => forSetBits('r', body);

const EVENTS_ROWS = `
  (func (export "events_rows") ${params(['masks', 'lists', 'counts', 'words', 'Ci', 'stride', 'M', 'begin', 'end'])}
    ${locals(['r', 'mk', 'w', 'm', 'ci', 'at', 'first'])}
    ${set('r', get('begin'))}
    (block $done (loop $row
      (br_if $done (i32.ge_s ${get('r')} ${get('end')}))
      ${set('first', add(get('lists'), `(i32.shl ${mul(get('r'), get('Ci'))} (i32.const 2))`))}
      ${set('at', get('first'))}
      ${forBits(`
          (i32.store ${get('at')} ${mul(get('ci'), get('stride'))})
          ${inc('at', '(i32.const 4)')}`)}
      (i32.store ${add(get('counts'), `(i32.shl ${get('r')} (i32.const 2))`)} (i32.shr_u (i32.sub ${get('at')} ${get('first')}) (i32.const 2)))
      ${inc('r')}
      (br $row))))`;

const EVENTS_COLS = `
  (func (export "events_cols") ${params(['masks', 'lists', 'counts', 'words', 'Ci', 'stride', 'M'])}
    ${locals(['r', 'mk', 'w', 'm', 'ci', 'slot'])}
    ${set('r', '(i32.const 0)')}
    (block $zeroed (loop $zero
      (br_if $zeroed (i32.ge_s ${get('r')} ${get('Ci')}))
      (i32.store ${add(get('counts'), `(i32.shl ${get('r')} (i32.const 2))`)} (i32.const 0))
      ${inc('r')}
      (br $zero)))
    ${set('r', '(i32.const 0)')}
    (block $done (loop $row
      (br_if $done (i32.ge_s ${get('r')} ${get('M')}))
      ${forBits(`
          ${set('slot', add(get('counts'), `(i32.shl ${get('ci')} (i32.const 2))`))}
          (i32.store (i32.add ${get('lists')} (i32.shl ${add(mul(get('ci'), get('M')), `(i32.load ${get('slot')})`)} (i32.const 2)))
            ${mul(get('r'), get('stride'))})
          (i32.store ${get('slot')} (i32.add (i32.load ${get('slot')}) (i32.const 1)))`)}
      ${inc('r')}
      (br $row))))`;

function gather(B: number): string {
  const acc = (j: number) => `$a${j}`;
  return `
  (func (export "gather_b${B}") ${params(['lists', 'counts', 'perList', 'src', 'groupBytes', 'dst', 'C', 'blk', 'nblk', 'M', 'begin', 'end'])}
    ${locals(['i', 'cb', 'cbEnd', 'at', 'stop', 'row', 'out', 'rowBytes', 'srcGroup'])}
    ${range(B).map((j) => `(local ${acc(j)} v128)`).join(' ')}
    ${set('rowBytes', `(i32.shl ${get('C')} (i32.const 2))`)}
    ${set('cbEnd', add(get('blk'), mul(get('nblk'), `(i32.const ${16 * B})`)))}
    ${set('cb', get('blk'))}
    ${set('srcGroup', get('src'))}
    (block $done (loop $group
      (br_if $done (i32.ge_s ${get('cb')} ${get('cbEnd')}))
      ${set('i', get('begin'))}
      (block $items_done (loop $item
        (br_if $items_done (i32.ge_s ${get('i')} ${get('end')}))
        ${range(B).map((j) => `(local.set ${acc(j)} (v128.const i32x4 0 0 0 0))`).join(' ')}
        ${set('at', add(get('lists'), `(i32.shl ${mul(get('i'), get('perList'))} (i32.const 2))`))}
        ${set('stop', add(get('at'), `(i32.shl (i32.load ${add(get('counts'), `(i32.shl ${get('i')} (i32.const 2))`)}) (i32.const 2))`))}
        (block $events_done (loop $event
          (br_if $events_done (i32.ge_u ${get('at')} ${get('stop')}))
          ${set('row', add(get('srcGroup'), `(i32.load ${get('at')})`))}
          ${range(B).map((j) => `(local.set ${acc(j)} (f32x4.add (local.get ${acc(j)}) (v128.load offset=${16 * j} ${get('row')})))`).join('\n          ')}
          ${inc('at', '(i32.const 4)')}
          (br $event)))
        ${set('out', add(add(get('dst'), mul(get('i'), get('rowBytes'))), get('cb')))}
        ${range(B).map((j) => `(v128.store offset=${16 * j} ${get('out')} (local.get ${acc(j)}))`).join(' ')}
        ${inc('i')}
        (br $item)))
      ${inc('cb', `(i32.const ${16 * B})`)}
      ${inc('srcGroup', get('groupBytes'))}
      (br $group))))`;
}

/** The module's text (WebAssembly text format). */
export function eventsModuleText(shared: boolean): string {
  return `(module
  (import "env" "memory" (memory 1 ${shared ? '65536 shared' : ''}))
  ${EVENTS_ROWS}
  ${EVENTS_COLS}
  ${WIDTHS.map(gather).join('\n')}
)`;
}

/** The module's binary, validated and optimised by binaryen. */
export function eventsModuleBinary(b: Binaryen, shared: boolean): Uint8Array {
  return textModuleBinary(b, eventsModuleText(shared), shared, 'events module');
}
