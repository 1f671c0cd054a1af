import type * as Runtime from './runtime.js';

let loaded: typeof Runtime | undefined;

/** tfjs, its backends and the plugins (runtime.ts), loaded on first need: half a second of startup. */
export async function loadRuntime(): Promise<typeof Runtime> {
  loaded ??= await import('./runtime.js');
  return loaded;
}

/** The runtime main() loaded before it printed a command's usage or ran it. */
export function loadedRuntime(): typeof Runtime {
  if (!loaded) throw new Error('spikeflow: the runtime is loaded (loadRuntime) before a command\'s usage is read');
  return loaded;
}
