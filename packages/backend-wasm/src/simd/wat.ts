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
