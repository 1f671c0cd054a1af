// binaryen (module builder and optimiser) is about 15 MB of JavaScript: it is loaded on first
// use (setup() awaits it), not when the package is imported.
import type BinaryenModule from 'binaryen';

export type Binaryen = typeof BinaryenModule;
export type WasmModule = InstanceType<Binaryen['Module']>;
export type Ref = number;

let loaded: Binaryen | undefined;
let loading: Promise<Binaryen> | undefined;

/** Loads binaryen once; later calls return the same promise. */
export function loadBinaryen(): Promise<Binaryen> {
  loading ??= import('binaryen').then((m) => (loaded = m.default));
  return loading;
}

/** binaryen when loaded, else undefined (the kernel factory is synchronous). */
export const binaryenIfLoaded = (): Binaryen | undefined => loaded;

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
