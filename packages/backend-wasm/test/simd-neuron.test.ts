// The WebAssembly SIMD neuron kernel on the single-thread wasm build: the conformance vectors
// through it (and that it, not the JS host kernel, ran), the same results as the JS host kernel
// for PLIF (a parameter gradient) and Izhikevich (two state variables) including tails of 1-3
// neurons, every operator of the expression language, and the loud fallback.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runNeuron } from '@spikeflow/core';
import { compileCaseNeuron, expr, runNeuronCase, type NeuronVectorFile } from '@spikeflow/core/backend';
import { setup, wasmNeuronKernelConfig, wasmNeuronKernelInfo } from '../src/index.js';
import { Locals, loadBinaryen, type Binaryen } from '../src/simd/binaryen.js';
import { emitExpr, mathFunctionsOf, UnsupportedExprError } from '../src/simd/emit-expr.js';
import { addMathFunctions } from '../src/simd/simd-math.js';
import { compile, expectSameAsHostKernel, LAYERS } from './simd-support.js';

const fixture = (name: string): NeuronVectorFile => JSON.parse(readFileSync(new URL(`../../../test/fixtures/${name}`, import.meta.url), 'utf8'));

beforeAll(async () => {
  const report = await setup({ threads: 1 });
  expect(report.threads).toBe(1);
  expect(report.detail?.neuronKernel).toMatch(/WebAssembly SIMD.*1 thread/);
});

describe('SIMD neuron kernel, one thread', () => {
  it('passes the neuron and catalogue vectors, running the SIMD kernel', async () => {
    for (const file of ['neuron_vectors.json', 'catalogue_vectors.json']) {
      for (const c of fixture(file).cases) {
        const r = await runNeuronCase(c);
        expect(r.failures, c.name).toEqual([]);
        expect(wasmNeuronKernelInfo(compileCaseNeuron(c))?.implementation, c.name).toBe('wasm-simd');
      }
    }
  });

  it('matches the JS host kernel for PLIF and Izhikevich, tails included', async () => {
    for (const layer of [LAYERS.plif, LAYERS.izhikevich]) {
      const n = compile(layer);
      for (const M of [1, 2, 3, 4, 5, 7, 66, 1001]) await expectSameAsHostKernel(n, 5, M, M);
      expect(wasmNeuronKernelInfo(n)).toMatchObject({ implementation: 'wasm-simd', threads: 1, lastCallThreads: 1 });
    }
  });

  it('handles T = 1 and an empty layer', async () => {
    const n = compile(LAYERS.plif);
    await expectSameAsHostKernel(n, 1, 9, 3);
    const empty = runNeuron(n, tf.zeros([4, 0]) as tf.Tensor2D, n.paramInit.map((p) => tf.scalar(p)), false);
    expect(empty.shape).toEqual([4, 0]);
  });
});

/** A module computing f(x, y) for every expression, four values at a time. */
function exprModule(b: Binaryen, exprs: expr.Expr[], paramValue: number) {
  const mod = new b.Module();
  mod.setFeatures(b.Features.MVP | b.Features.SIMD128 | b.Features.NontrappingFPToInt);
  mod.setMemory(16, 16, 'memory');
  const math = new Set<ReturnType<typeof mathFunctionsOf> extends Set<infer F> ? F : never>();
  exprs.forEach((e) => mathFunctionsOf(e, math));
  addMathFunctions(b, mod, math);
  exprs.forEach((e, k) => {
    // (x, y, out, n): out[i] = e(x[i], y[i]) for i < n (n a multiple of 4).
    const L = new Locals([b.i32, b.i32, b.i32, b.i32]);
    const i = L.add(b.i32);
    const vars = { x: L.add(b.v128), y: L.add(b.v128) };
    const get = (k: number) => mod.local.get(k, b.i32);
    const at = (base: number) => mod.i32.add(get(base), get(i));
    const names = {
      variable: (name: string) => mod.local.get(vars[name as 'x' | 'y'], b.v128),
      param: () => mod.f32x4.splat(mod.f32.const(paramValue)),
      temp: () => L.add(b.v128),
    };
    const value = emitExpr(b, mod, e, names);
    mod.addFunction(`f${k}`, b.createType([b.i32, b.i32, b.i32, b.i32]), b.none, L.varTypes, mod.block('done', [
      mod.loop('each', mod.block(null, [
        mod.br('done', mod.i32.ge_u(get(i), mod.i32.shl(get(3), mod.i32.const(2)))),
        mod.local.set(vars.x, mod.v128.load(0, 4, at(0))),
        mod.local.set(vars.y, mod.v128.load(0, 4, at(1))),
        mod.v128.store(0, 4, at(2), value),
        mod.local.set(i, mod.i32.add(get(i), mod.i32.const(16))),
        mod.br('each'),
      ])),
    ]));
    mod.addFunctionExport(`f${k}`, `f${k}`);
  });
  expect(mod.validate()).toBeTruthy();
  const instance = new WebAssembly.Instance(new WebAssembly.Module(mod.emitBinary() as Uint8Array<ArrayBuffer>));
  mod.dispose();
  return instance.exports as Record<string, WebAssembly.Memory | ((...a: number[]) => void)>;
}

describe('every operator of the expression language', () => {
  it('emits each as SIMD, with the values JavaScript computes', async () => {
    const { variable: v, param, constant } = expr;
    const x = v('x');
    const y = v('y');
    const cases: Record<string, expr.Expr> = {
      const: x.mul(0).add(constant(2.5)), // a constant alone folds; 0 * x keeps a node
      var: x,
      param: x.add(param(0, 'w')),
      add: x.add(y), sub: x.sub(y), mul: x.mul(y), div: x.div(y), max: x.max(y), min: x.min(y), ge: x.ge(y),
      neg: x.neg(), abs: x.abs(), sign: x.sign(), step: x.step(), sqrt: x.abs().sqrt(), square: x.square(),
      exp: x.exp(), log: x.abs().log(), sigmoid: x.sigmoid(), tanh: x.tanh(),
    };
    const names = Object.keys(cases);
    const b = await loadBinaryen();
    const exports = exprModule(b, names.map((k) => cases[k]), 0.75);
    const n = 4000;
    const xs = Float32Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0 : -6 + (12 * i) / n));
    const ys = Float32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? xs[i] : 2 - (4 * ((i * 37) % n)) / n));
    const memory = exports.memory as WebAssembly.Memory;
    names.forEach((name, k) => {
      const heap = new Float32Array(memory.buffer);
      heap.set(xs, 0);
      heap.set(ys, n);
      (exports[`f${k}`] as (...a: number[]) => void)(0, 4 * n, 8 * n, n);
      const got = new Float32Array(memory.buffer, 8 * n, n);
      const js = new Function('x', 'y', 'w', `return ${expr.toJs(cases[name], { param: () => 'w' })};`) as (x: number, y: number, w: number) => number;
      for (let i = 0; i < n; i++) {
        const want = Math.fround(js(xs[i], ys[i], 0.75));
        const ok = Number.isNaN(want) ? Number.isNaN(got[i]) : Math.abs(got[i] - want) <= 4e-7 * Math.max(1, Math.abs(want));
        if (!ok) expect(got[i], `${name}(${xs[i]}, ${ys[i]})`).toBe(want);
      }
    });
    // Every operator of core's table has a case here (and the three leaves).
    expect(names.filter((name) => expr.isOperator(name)).sort()).toEqual([...expr.OP_NAMES].sort());
    expect(names.length).toBe(expr.OP_NAMES.length + 3);
  });

  it('names an operator it has no SIMD form for', async () => {
    const b = await loadBinaryen();
    const mod = new b.Module();
    const fake = new expr.Expr({ op: 'erf', a: expr.variable('x') } as never);
    expect(() => emitExpr(b, mod, fake, { variable: () => mod.nop(), param: () => mod.nop(), temp: () => 0 })).toThrow(UnsupportedExprError);
    expect(() => emitExpr(b, mod, fake, { variable: () => mod.nop(), param: () => mod.nop(), temp: () => 0 })).toThrow(/operator "erf"/);
    mod.dispose();
  });
});

describe('fallback to the JS host kernel', () => {
  afterEach(() => vi.restoreAllMocks());

  it('warns, naming the neuron and the reason, and reports the JS kernel', () => {
    const plif = compile(LAYERS.plif);
    const fake = new expr.Expr({ op: 'erf', a: expr.variable('x') } as never);
    const neuron = {
      ...plif,
      key: 'plif-with-erf',
      kind: 'plif-with-erf',
      ir: { ...plif.ir, forward: plif.ir.forward.map((s, i) => (i === 0 ? { name: s.name, expr: fake } : s)) },
    };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    // An operator core does not know has no JavaScript form either: the host kernel refuses it
    // when it is built, naming the operator, rather than when it runs.
    expect(() => wasmNeuronKernelConfig.neuronOp(neuron)).toThrow(/neuron "plif-with-erf": cannot generate the host kernel \(operator "erf" is not an operator/);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/neuron "plif-with-erf" on wasm runs the JavaScript host kernel.*operator "erf"/));
    expect(wasmNeuronKernelInfo(neuron)).toMatchObject({ implementation: 'js', reason: expect.stringMatching(/erf/) });
  });
});
