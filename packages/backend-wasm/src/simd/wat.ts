// Small builders for WebAssembly text (the hand-written SIMD modules): every value an i32 local
// unless said, expressions as s-expressions.

export const params = (names: string[]): string => names.map((n) => `(param $${n} i32)`).join(' ');
export const locals = (names: string[], type = 'i32'): string => names.map((n) => `(local $${n} ${type})`).join(' ');
export const range = (n: number): number[] => Array.from({ length: n }, (_, j) => j);
export const get = (n: string): string => `(local.get $${n})`;
export const set = (n: string, v: string): string => `(local.set $${n} ${v})`;
export const add = (a: string, b: string): string => `(i32.add ${a} ${b})`;
export const mul = (a: string, b: string): string => `(i32.mul ${a} ${b})`;
export const inc = (n: string, by = '(i32.const 1)'): string => set(n, add(get(n), by));

/**
 * Walks the set bits of one position's mask words (one i32 per 32 channels, bit b of word w is
 * channel 32w + b) at masks + position * words * 4, in increasing channel order, running `body`
 * with $ci set for each. Uses the i32 locals mk, w, m, ci.
 */
export function forSetBits(position: string, body: string): string {
  return `
      ${set('mk', add(get('masks'), `(i32.shl ${mul(get(position), get('words'))} (i32.const 2))`))}
      ${set('w', '(i32.const 0)')}
      (block $w_done (loop $w_loop
        (br_if $w_done (i32.ge_s ${get('w')} ${get('words')}))
        ${set('m', `(i32.load (i32.add ${get('mk')} (i32.shl ${get('w')} (i32.const 2))))`)}
        (block $m_done (loop $m_loop
          (br_if $m_done (i32.eqz ${get('m')}))
          ${set('ci', add(`(i32.shl ${get('w')} (i32.const 5))`, `(i32.ctz ${get('m')})`))}
          ${set('m', `(i32.and ${get('m')} (i32.sub ${get('m')} (i32.const 1)))`)}
          ${body}
          (br $m_loop)))
        ${inc('w')}
        (br $w_loop)))`;
}
