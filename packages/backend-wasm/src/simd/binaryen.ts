// binaryen (module builder and optimiser) is about 15 MB of JavaScript: it is loaded on first
// use (setup() awaits it), not when the package is imported. The import is hidden from bundlers
// (a browser app that wants the SIMD kernel bundles binaryen itself and passes it to
// useBinaryen()); where it cannot be loaded, neurons run the JS host kernel and say why.
import type BinaryenModule from 'binaryen';

export type Binaryen = typeof BinaryenModule;
export type WasmModule = InstanceType<Binaryen['Module']>;
export type Ref = number;

const SPECIFIER = 'binaryen';
let loaded: Binaryen | undefined;
let loading: Promise<Binaryen> | undefined;
let failure: string | undefined;

/** Loads binaryen once; later calls return the same promise. Rejects where it cannot be loaded. */
export function loadBinaryen(): Promise<Binaryen> {
  loading ??= (import(/* @vite-ignore */ /* webpackIgnore: true */ SPECIFIER) as Promise<{ default: Binaryen }>).then(
    (m) => (loaded ??= m.default),
    (e: unknown) => {
      failure = `binaryen could not be loaded (${(e as Error).message.split('\n')[0]}); in a browser, bundle it and pass it to useBinaryen()`;
      throw new Error(failure, { cause: e });
    },
  );
  return loading;
}

/** Gives the SIMD neuron kernels a binaryen module the app loaded itself (`import binaryen from 'binaryen'`). */
export function useBinaryen(binaryen: Binaryen): void {
  if (typeof binaryen?.Module !== 'function') throw new TypeError('useBinaryen: expected the default export of the binaryen package');
  loaded = binaryen;
  loading = Promise.resolve(binaryen);
  failure = undefined;
}

/** binaryen when loaded, else undefined (the kernel factory is synchronous). */
export const binaryenIfLoaded = (): Binaryen | undefined => loaded;
/** Why binaryen is not loaded, when loading it failed. */
export const binaryenFailure = (): string | undefined => failure;

/** A function's locals: parameters first, then variables added while its body is built. */
export class Locals {
  private readonly vars: number[] = [];
  constructor(private readonly params: number[]) {}
  add(type: number): number {
    this.vars.push(type);
    return this.params.length + this.vars.length - 1;
  }
  get paramTypes(): number[] {
    return this.params;
  }
  get varTypes(): number[] {
    return this.vars;
  }
}

/** A v128 constant with the same float32 in every lane. */
export function f32x4Const(b: Binaryen, mod: WasmModule, value: number): Ref {
  return mod.v128.const(new Uint8Array(Float32Array.of(value, value, value, value).buffer));
}

/** A v128 constant with the same int32 in every lane. */
export function i32x4Const(b: Binaryen, mod: WasmModule, value: number): Ref {
  return mod.v128.const(new Uint8Array(Int32Array.of(value, value, value, value).buffer));
}

/** A module's binary: validated (throws naming `what`), then optimised at level 3 (the caller disposes mod). */
export function validatedOptimizedBinary(b: Binaryen, mod: WasmModule, what: string): Uint8Array {
  if (!mod.validate()) throw new Error(`binaryen rejected the ${what} (its validation errors are on stderr)`);
  const previous = [b.getOptimizeLevel(), b.getShrinkLevel()];
  b.setOptimizeLevel(3);
  b.setShrinkLevel(0);
  try {
    mod.optimize();
  } finally {
    b.setOptimizeLevel(previous[0]);
    b.setShrinkLevel(previous[1]);
  }
  return mod.emitBinary();
}

/** A hand-written module's binary from its WebAssembly text: parsed, validated and optimised. */
export function textModuleBinary(b: Binaryen, text: string, shared: boolean, what: string): Uint8Array {
  const mod = b.parseText(text);
  try {
    mod.setFeatures(b.Features.MVP | b.Features.SIMD128 | b.Features.MutableGlobals | (shared ? b.Features.Atomics : 0));
    return validatedOptimizedBinary(b, mod, what);
  } finally {
    mod.dispose();
  }
}
