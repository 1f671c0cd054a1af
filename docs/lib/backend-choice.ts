// The backends a visitor can pick for the demos (the selector, or ?backend= in the address). No
// imports: the notice that shows the selector loads on every demo page before tfjs does.

export const BACKEND_CHOICES = ['auto', 'webgpu', 'wasm'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** The backend the address asks for (`?backend=`), 'auto' when none; an unknown name is an error. */
export function requestedBackend(search: string): BackendChoice {
  const asked = new URLSearchParams(search).get('backend') ?? 'auto';
  if (!(BACKEND_CHOICES as readonly string[]).includes(asked)) throw new Error(`?backend=${asked}: unknown backend; known: ${BACKEND_CHOICES.join(', ')}`);
  return asked as BackendChoice;
}

/** Threads the address asks wasm to use (`?threads=N`), undefined for the default (every core where isolated). */
export function requestedThreads(search: string): number | undefined {
  const asked = new URLSearchParams(search).get('threads');
  if (asked === null) return undefined;
  const n = Number(asked);
  if (!Number.isInteger(n) || n < 1) throw new Error(`?threads=${asked}: expected a whole number of threads, 1 or more`);
  return n;
}
