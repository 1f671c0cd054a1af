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

/** Threads the address asks wasm to use (`?threads=N`), undefined when it asks for none. */
export function requestedThreads(search: string): number | undefined {
  const asked = new URLSearchParams(search).get('threads');
  if (asked === null) return undefined;
  const n = Number(asked);
  if (!Number.isInteger(n) || n < 1) throw new Error(`?threads=${asked}: expected a whole number of threads, 1 or more`);
  return n;
}

/**
 * Threads the demos give wasm when the address names none: every core but one on a cross-origin
 * isolated page (at least 1), undefined elsewhere (the wasm backend then runs one thread). The page's
 * own thread (the charts, the UI) and the browser need a core: on a 2-core machine the training demo
 * trains faster on 1 thread than on 2 (bench-results/train-demo-browser.json).
 */
export function defaultPageThreads(isolated: boolean, cores: number | undefined): number | undefined {
  return isolated ? Math.max(1, (cores ?? 1) - 1) : undefined;
}

/** The wasm candidate as it runs, named by the threads it started with: "wasm (1 thread)". */
export function wasmRunLabel(threads: number): string {
  return `wasm (${threads} thread${threads === 1 ? '' : 's'})`;
}
