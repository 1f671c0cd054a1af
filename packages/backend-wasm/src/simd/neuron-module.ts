// Emits a neuron's step IR (@spikeflow/core's NeuronIR) as a WebAssembly SIMD module that runs
// in place on tfjs-backend-wasm's heap (it imports that memory). Four neurons per f32x4 value;
// neuron groups outside, time inside, so every state variable stays in a local for all T.
//
//   forward(x, out, withStates, tape, T, M, begin, end, ...params, ...invariants)
//     out: spikes [T, M], then (withStates) each state variable [T, M]; tape: [S, T, M].
//   backward(tape, x, dy, withOut, gX, T, M, begin, end, ...params, ...invariants)
//     dy: dL/dspikes [T, M], then (withOut) dL/d each state variable; writes gX [T, M] and sets
//     the exported f64 globals named gradParam(k) (q<k>) to this call's sum of dL/dparam k over
//     [begin, end).
//   forward_ck(x, out, ck, k, T, M, begin, end, ...)      memory-lean BPTT: spikes [T, M] and the
//     checkpoints ck [S, J, M] (J = ceil(T / k)): row j holds the state before step j * k.
//   backward_ck(ck, x, dy, gX, seg, k, T, M, begin, end, ...)  per segment of k steps, last first:
//     recomputes the states from its checkpoint into seg [S, k, M], then runs the backward steps
//     through them; the carried gradient and the sums continue across segments, so gX and q<k> are
//     bit-identical to backward's.
// Pointers are byte offsets in the heap; [begin, end) is a range of neurons, begin a multiple of 4.
import { neuronStep, type NeuronIR, type NeuronStmt as Stmt } from '@spikeflow/core/backend';
import { f32x4Const, Locals, validatedOptimizedBinary, type Binaryen, type Ref, type WasmModule } from './binaryen.js';
import { emitExpr, mathFunctionsOf } from './emit-expr.js';
import { addMathFunctions, type MathFunction } from './simd-math.js';

export interface NeuronModuleOptions {
  /** The heap is a shared memory (tfjs-backend-wasm's threaded build). */
  shared: boolean;
}

const { forward: F, backward: B } = neuronStep;

const FORWARD_POINTERS = ['x', 'out', 'withStates', 'tape', 'T', 'M', 'begin', 'end'] as const;
const BACKWARD_POINTERS = ['tape', 'x', 'dy', 'withOut', 'gX', 'T', 'M', 'begin', 'end'] as const;
const FORWARD_CK_POINTERS = ['x', 'out', 'ck', 'k', 'T', 'M', 'begin', 'end'] as const;
const BACKWARD_CK_POINTERS = ['ck', 'x', 'dy', 'gX', 'seg', 'k', 'T', 'M', 'begin', 'end'] as const;
const POINTERS = { forward: FORWARD_POINTERS, backward: BACKWARD_POINTERS, forward_ck: FORWARD_CK_POINTERS, backward_ck: BACKWARD_CK_POINTERS };

/** The functions a neuron module exports (the thread pool names them by index in this list). */
export const NEURON_MODULE_FUNCTIONS = ['forward', 'backward', 'forward_ck', 'backward_ck'] as const;
export type NeuronModuleFunction = (typeof NEURON_MODULE_FUNCTIONS)[number];

/** The module's binary (validated and optimised). Throws UnsupportedExprError for an operator it cannot emit. */
export function neuronModuleBinary(b: Binaryen, ir: NeuronIR, options: NeuronModuleOptions): Uint8Array {
  const mod = new b.Module();
  try {
    mod.setFeatures(b.Features.MVP | b.Features.SIMD128 | b.Features.MutableGlobals | b.Features.NontrappingFPToInt | b.Features.SignExt | (options.shared ? b.Features.Atomics : 0));
    mod.setMemory(1, options.shared ? 65536 : -1, null, [], options.shared, false, 'heap');
    mod.addMemoryImport('heap', 'env', 'memory', options.shared);
    const math = new Set<MathFunction>();
    for (const s of [...ir.forward, ...ir.backward]) mathFunctionsOf(s.expr, math);
    addMathFunctions(b, mod, math);
    for (let k = 0; k < ir.numParams; k++) {
      mod.addGlobal(B.writes.gradParam(k), b.f64, true, mod.f64.const(0));
      mod.addGlobalExport(B.writes.gradParam(k), B.writes.gradParam(k));
    }
    for (const fn of NEURON_MODULE_FUNCTIONS) {
      new KernelBuilder(b, mod, ir, fn).build();
      mod.addFunctionExport(fn, fn);
    }
    return validatedOptimizedBinary(b, mod, 'generated neuron module');
  } finally {
    mod.dispose();
  }
}

type Mode = 'full' | 'tail';

/** Builds one of the two exported functions. */
class KernelBuilder {
  private readonly v: number;
  private readonly i32: number;
  private readonly locals: Locals;
  private readonly arg: Record<string, number> = {};
  private readonly paramLocal: number[] = [];
  private readonly paramArg: number[] = [];
  private readonly invariantArg = new Map<string, number>();
  private readonly vars = new Map<string, number>();
  private readonly statesLocal: number[] = [];
  private readonly extraBase: number[] = [];
  private readonly tapeBase: number[] = [];
  private readonly g: number;
  private readonly remaining: number;
  private readonly row: number;
  private readonly t: number;
  private readonly rowBytes: number;
  private readonly planeBytes: number;
  private readonly tmpPtr: number;
  private readonly tmpVec: number;
  private readonly mask: number;
  private readonly acc: number[] = [];
  private readonly sum: number[] = [];
  // Memory-lean kernels: the segment j, its steps [t0, t1), the group's byte offset in a row, the
  // steps left before the next checkpoint, and per state the checkpoint and segment planes.
  private readonly j: number;
  private readonly t0: number;
  private readonly t1: number;
  private readonly col: number;
  private readonly numCk: number;
  private readonly left: number;
  private readonly ckBase: number[] = [];
  private readonly segBase: number[] = [];

  constructor(
    private readonly b: Binaryen,
    private readonly mod: WasmModule,
    private readonly ir: NeuronIR,
    private readonly kind: NeuronModuleFunction,
  ) {
    this.v = b.v128;
    this.i32 = b.i32;
    const pointers = POINTERS[kind];
    const types = [...pointers.map(() => b.i32), ...Array.from({ length: ir.numParams + ir.invariants.length }, () => b.f32)];
    this.locals = new Locals(types);
    pointers.forEach((p, k) => (this.arg[p] = k));
    for (let k = 0; k < ir.numParams; k++) this.paramArg.push(pointers.length + k);
    ir.invariants.forEach((c, j) => this.invariantArg.set(c.name, pointers.length + ir.numParams + j));
    const L = this.locals;
    for (let k = 0; k < ir.numParams; k++) this.paramLocal.push(L.add(this.v));
    for (const c of ir.invariants) this.vars.set(c.name, L.add(this.v));
    this.g = L.add(this.i32);
    this.remaining = L.add(this.i32);
    this.row = L.add(this.i32);
    this.t = L.add(this.i32);
    this.rowBytes = L.add(this.i32);
    this.planeBytes = L.add(this.i32);
    this.tmpPtr = L.add(this.i32);
    this.tmpVec = L.add(this.v);
    this.mask = L.add(this.v);
    this.j = L.add(this.i32);
    this.t0 = L.add(this.i32);
    this.t1 = L.add(this.i32);
    this.col = L.add(this.i32);
    this.numCk = L.add(this.i32);
    this.left = L.add(this.i32);
    for (let i = 0; i < ir.numStates; i++) {
      this.statesLocal.push(L.add(this.v));
      this.extraBase.push(L.add(this.i32));
      this.tapeBase.push(L.add(this.i32));
      this.ckBase.push(L.add(this.i32));
      this.segBase.push(L.add(this.i32));
    }
    if (this.isBackward) {
      for (let k = 0; k < ir.numParams; k++) {
        this.acc.push(L.add(this.v));
        this.sum.push(L.add(this.v));
      }
    }
  }

  private get isBackward(): boolean {
    return this.kind === 'backward' || this.kind === 'backward_ck';
  }

  private getI(k: number): Ref {
    return this.mod.local.get(k, this.i32);
  }
  private getV(k: number): Ref {
    return this.mod.local.get(k, this.v);
  }
  private argI(name: string): Ref {
    return this.getI(this.arg[name]);
  }

  /** A v128 local per IR name (state variables, inputs, statements), made on first use. */
  private local(name: string): number {
    let k = this.vars.get(name);
    if (k === undefined) {
      k = this.locals.add(this.v);
      this.vars.set(name, k);
    }
    return k;
  }

  private load(mode: Mode, ptr: Ref): Ref {
    const m = this.mod;
    if (mode === 'full') return m.v128.load(0, 4, ptr);
    // The last group of a range holds 1-3 neurons: read only those lanes.
    const p = () => this.getI(this.tmpPtr);
    const lane = (l: number) => m.if(m.i32.gt_s(this.getI(this.remaining), m.i32.const(l)),
      m.local.set(this.tmpVec, m.v128.load32_lane(4 * l, 4, l, p(), this.getV(this.tmpVec))));
    return m.block(null, [
      m.local.set(this.tmpPtr, ptr),
      m.local.set(this.tmpVec, m.v128.load32_lane(0, 4, 0, p(), f32x4Const(this.b, m, 0))),
      lane(1),
      lane(2),
      this.getV(this.tmpVec),
    ], this.v);
  }

  private store(mode: Mode, ptr: Ref, value: Ref): Ref {
    const m = this.mod;
    if (mode === 'full') return m.v128.store(0, 4, ptr, value);
    const p = () => this.getI(this.tmpPtr);
    const lane = (l: number) => m.v128.store32_lane(4 * l, 4, l, p(), this.getV(this.tmpVec));
    return m.block(null, [
      m.local.set(this.tmpPtr, ptr),
      m.local.set(this.tmpVec, value),
      lane(0),
      m.if(m.i32.gt_s(this.getI(this.remaining), m.i32.const(1)), lane(1)),
      m.if(m.i32.gt_s(this.getI(this.remaining), m.i32.const(2)), lane(2)),
    ]);
  }

  private statements(stmts: Stmt[]): Ref[] {
    const names = {
      variable: (name: string) => this.getV(this.local(name)),
      param: (k: number) => this.getV(this.paramLocal[k]),
      temp: () => this.locals.add(this.v),
    };
    return stmts.map((s) => this.mod.local.set(this.local(s.name), emitExpr(this.b, this.mod, s.expr, names)));
  }

  private at(base: Ref): Ref {
    return this.mod.i32.add(base, this.getI(this.row));
  }

  /** One group of four neurons (or the tail): the loop over t. */
  private group(mode: Mode): Ref {
    if (this.kind === 'forward_ck') return this.groupForwardCheckpointed(mode);
    if (this.kind === 'backward_ck') return this.groupBackwardCheckpointed(mode);
    const m = this.mod;
    const S = this.ir.numStates;
    const range = (n: number) => Array.from({ length: n }, (_, i) => i);
    const rowStart = m.i32.shl(this.getI(this.g), m.i32.const(2));
    if (this.kind === 'forward') {
      const body = [
        m.local.set(this.local(F.reads.input), this.load(mode, this.at(this.argI('x')))),
        ...range(S).map((i) => m.local.set(this.local(F.reads.state(i)), this.getV(this.statesLocal[i]))),
        ...this.statements(this.ir.forward),
        this.store(mode, this.at(this.argI('out')), this.getV(this.local(F.writes.spike))),
        ...range(S).map((i) => this.store(mode, this.at(this.getI(this.tapeBase[i])), this.getV(this.local(F.writes.state(i))))),
        m.if(this.argI('withStates'), m.block(null, range(S).map((i) =>
          this.store(mode, this.at(this.getI(this.extraBase[i])), this.getV(this.local(F.writes.state(i))))))),
        ...range(S).map((i) => m.local.set(this.statesLocal[i], this.getV(this.local(F.writes.state(i))))),
        m.local.set(this.row, m.i32.add(this.getI(this.row), this.getI(this.rowBytes))),
        m.local.set(this.t, m.i32.add(this.getI(this.t), m.i32.const(1))),
        m.br(`steps_${mode}`, m.i32.lt_s(this.getI(this.t), this.argI('T'))),
      ];
      return m.block(null, [
        ...range(S).map((i) => m.local.set(this.statesLocal[i], f32x4Const(this.b, m, this.ir.init[i]))),
        m.local.set(this.row, rowStart),
        m.local.set(this.t, m.i32.const(0)),
        m.loop(`steps_${mode}`, m.block(null, body)),
      ]);
    }
    const reads = this.ir.backwardReads;
    const { reads: R, writes: W } = B;
    const K = this.ir.numParams;
    const lastRow = m.i32.add(m.i32.mul(m.i32.sub(this.argI('T'), m.i32.const(1)), this.getI(this.rowBytes)), rowStart);
    const body = [
      ...(reads.has(R.input) ? [m.local.set(this.local(R.input), this.load(mode, this.at(this.argI('x'))))] : []),
      ...(reads.has(R.gradSpike) ? [m.local.set(this.local(R.gradSpike), this.load(mode, this.at(this.argI('dy'))))] : []),
      ...range(S).filter((i) => reads.has(R.state(i))).map((i) => m.local.set(this.local(R.state(i)), m.if(
        m.i32.gt_s(this.getI(this.t), m.i32.const(0)),
        this.load(mode, m.i32.sub(this.at(this.getI(this.tapeBase[i])), this.getI(this.rowBytes))),
        f32x4Const(this.b, m, this.ir.init[i]),
      ))),
      ...range(S).filter((i) => reads.has(R.gradOutput(i))).map((i) => m.local.set(this.local(R.gradOutput(i)), m.if(
        this.argI('withOut'),
        this.load(mode, this.at(this.getI(this.extraBase[i]))),
        f32x4Const(this.b, m, 0),
      ))),
      ...this.statements(this.ir.backward),
      this.store(mode, this.at(this.argI('gX')), this.getV(this.local(W.gradInput))),
      ...range(S).map((i) => m.local.set(this.local(R.gradNext(i)), this.getV(this.local(W.gradState(i))))),
      ...range(K).map((k) => m.local.set(this.acc[k], m.f32x4.add(this.getV(this.acc[k]), this.getV(this.local(W.gradParam(k)))))),
      m.local.set(this.row, m.i32.sub(this.getI(this.row), this.getI(this.rowBytes))),
      m.local.set(this.t, m.i32.sub(this.getI(this.t), m.i32.const(1))),
      m.br(`steps_${mode}`, m.i32.ge_s(this.getI(this.t), m.i32.const(0))),
    ];
    return m.block(null, [
      ...range(S).map((i) => m.local.set(this.local(R.gradNext(i)), f32x4Const(this.b, m, 0))),
      ...range(K).map((k) => m.local.set(this.acc[k], f32x4Const(this.b, m, 0))),
      ...this.tailMask(mode),
      m.local.set(this.row, lastRow),
      m.local.set(this.t, m.i32.sub(this.argI('T'), m.i32.const(1))),
      m.loop(`steps_${mode}`, m.block(null, body)),
      ...this.accumulate(mode),
    ]);
  }

  private tailMask(mode: Mode): Ref[] {
    const m = this.mod;
    return mode === 'tail'
      ? [m.local.set(this.mask, m.i32x4.lt_s(m.v128.const(new Uint8Array(Int32Array.of(0, 1, 2, 3).buffer)), m.i32x4.splat(this.getI(this.remaining))))]
      : [];
  }

  /** Adds the group's per-lane sums over t into the float64 sums. */
  private accumulate(mode: Mode): Ref[] {
    const m = this.mod;
    // Sums over t stay float32 per neuron; across neurons they are added in float64.
    return Array.from({ length: this.ir.numParams }, (_, k) => {
      const acc = mode === 'tail' ? m.v128.and(this.getV(this.acc[k]), this.getV(this.mask)) : this.getV(this.acc[k]);
      // Lanes 2 and 3 moved down (as one i64) so that promote_low reaches them.
      const high = (a: Ref) => m.i64x2.splat(m.i64x2.extract_lane(a, 1));
      return m.block(null, [
        m.local.set(this.tmpVec, acc),
        m.local.set(this.sum[k], m.f64x2.add(this.getV(this.sum[k]), m.f64x2.add(
          m.f64x2.promote_low_f32x4(this.getV(this.tmpVec)),
          m.f64x2.promote_low_f32x4(high(this.getV(this.tmpVec))),
        ))),
      ]);
    });
  }

  /** Byte address of neuron group `col` at row `r` of a [rows, M] plane starting at `base`. */
  private cell(base: Ref, r: Ref): Ref {
    const m = this.mod;
    return m.i32.add(m.i32.add(base, m.i32.mul(r, this.getI(this.rowBytes))), this.getI(this.col));
  }

  /** forward_ck: the forward steps, storing the state in ck before every k-th step. */
  private groupForwardCheckpointed(mode: Mode): Ref {
    const m = this.mod;
    const S = this.ir.numStates;
    const range = (n: number) => Array.from({ length: n }, (_, i) => i);
    const body = [
      m.if(m.i32.eqz(this.getI(this.left)), m.block(null, [
        ...range(S).map((i) => this.store(mode, this.cell(this.getI(this.ckBase[i]), this.getI(this.j)), this.getV(this.statesLocal[i]))),
        m.local.set(this.j, m.i32.add(this.getI(this.j), m.i32.const(1))),
        m.local.set(this.left, this.argI('k')),
      ])),
      m.local.set(this.left, m.i32.sub(this.getI(this.left), m.i32.const(1))),
      m.local.set(this.local(F.reads.input), this.load(mode, this.at(this.argI('x')))),
      ...range(S).map((i) => m.local.set(this.local(F.reads.state(i)), this.getV(this.statesLocal[i]))),
      ...this.statements(this.ir.forward),
      this.store(mode, this.at(this.argI('out')), this.getV(this.local(F.writes.spike))),
      ...range(S).map((i) => m.local.set(this.statesLocal[i], this.getV(this.local(F.writes.state(i))))),
      m.local.set(this.row, m.i32.add(this.getI(this.row), this.getI(this.rowBytes))),
      m.local.set(this.t, m.i32.add(this.getI(this.t), m.i32.const(1))),
      m.br(`steps_${mode}`, m.i32.lt_s(this.getI(this.t), this.argI('T'))),
    ];
    return m.block(null, [
      ...range(S).map((i) => m.local.set(this.statesLocal[i], f32x4Const(this.b, m, this.ir.init[i]))),
      m.local.set(this.col, m.i32.shl(this.getI(this.g), m.i32.const(2))),
      m.local.set(this.row, this.getI(this.col)),
      m.local.set(this.t, m.i32.const(0)),
      m.local.set(this.j, m.i32.const(0)),
      m.local.set(this.left, m.i32.const(0)),
      m.loop(`steps_${mode}`, m.block(null, body)),
    ]);
  }

  /**
   * backward_ck: per segment, last first, the forward steps from the segment's checkpoint into seg,
   * then the backward steps reading them (the checkpoint before the segment's first step, the
   * initial state before step 0), with the carried gradient and the sums running on.
   */
  private groupBackwardCheckpointed(mode: Mode): Ref {
    const m = this.mod;
    const S = this.ir.numStates;
    const K = this.ir.numParams;
    const range = (n: number) => Array.from({ length: n }, (_, i) => i);
    const reads = this.ir.backwardReads;
    const { reads: R, writes: W } = B;
    const t = () => this.getI(this.t);
    const segRow = () => m.i32.sub(t(), this.getI(this.t0));
    const recompute = [
      m.local.set(this.local(F.reads.input), this.load(mode, this.cell(this.argI('x'), t()))),
      ...range(S).map((i) => m.local.set(this.local(F.reads.state(i)), this.getV(this.statesLocal[i]))),
      ...this.statements(this.ir.forward),
      ...range(S).map((i) => m.local.set(this.statesLocal[i], this.getV(this.local(F.writes.state(i))))),
      ...range(S).map((i) => this.store(mode, this.cell(this.getI(this.segBase[i]), segRow()), this.getV(this.statesLocal[i]))),
      m.local.set(this.t, m.i32.add(t(), m.i32.const(1))),
      m.br(`recompute_${mode}`, m.i32.lt_s(t(), this.getI(this.t1))),
    ];
    // The state before step t: seg row t - t0 - 1 inside the segment, the checkpoint at its start.
    const stateBefore = (i: number) => m.if(
      m.i32.gt_s(t(), this.getI(this.t0)),
      this.load(mode, this.cell(this.getI(this.segBase[i]), m.i32.sub(segRow(), m.i32.const(1)))),
      m.if(m.i32.gt_s(t(), m.i32.const(0)),
        this.load(mode, this.cell(this.getI(this.ckBase[i]), this.getI(this.j))),
        f32x4Const(this.b, m, this.ir.init[i])),
    );
    const steps = [
      ...(reads.has(R.input) ? [m.local.set(this.local(R.input), this.load(mode, this.cell(this.argI('x'), t())))] : []),
      ...(reads.has(R.gradSpike) ? [m.local.set(this.local(R.gradSpike), this.load(mode, this.cell(this.argI('dy'), t())))] : []),
      ...range(S).filter((i) => reads.has(R.state(i))).map((i) => m.local.set(this.local(R.state(i)), stateBefore(i))),
      ...range(S).filter((i) => reads.has(R.gradOutput(i))).map((i) => m.local.set(this.local(R.gradOutput(i)), f32x4Const(this.b, m, 0))),
      ...this.statements(this.ir.backward),
      this.store(mode, this.cell(this.argI('gX'), t()), this.getV(this.local(W.gradInput))),
      ...range(S).map((i) => m.local.set(this.local(R.gradNext(i)), this.getV(this.local(W.gradState(i))))),
      ...range(K).map((k) => m.local.set(this.acc[k], m.f32x4.add(this.getV(this.acc[k]), this.getV(this.local(W.gradParam(k)))))),
      m.local.set(this.t, m.i32.sub(t(), m.i32.const(1))),
      m.br(`backsteps_${mode}`, m.i32.ge_s(t(), this.getI(this.t0))),
    ];
    const segment = [
      m.local.set(this.t0, m.i32.mul(this.getI(this.j), this.argI('k'))),
      m.local.set(this.t1, m.i32.add(this.getI(this.t0), this.argI('k'))),
      m.if(m.i32.gt_s(this.getI(this.t1), this.argI('T')), m.local.set(this.t1, this.argI('T'))),
      ...range(S).map((i) => m.local.set(this.statesLocal[i], this.load(mode, this.cell(this.getI(this.ckBase[i]), this.getI(this.j))))),
      m.local.set(this.t, this.getI(this.t0)),
      m.loop(`recompute_${mode}`, m.block(null, recompute)),
      m.local.set(this.t, m.i32.sub(this.getI(this.t1), m.i32.const(1))),
      m.loop(`backsteps_${mode}`, m.block(null, steps)),
      m.local.set(this.j, m.i32.sub(this.getI(this.j), m.i32.const(1))),
      m.br(`segments_${mode}`, m.i32.ge_s(this.getI(this.j), m.i32.const(0))),
    ];
    return m.block(null, [
      ...range(S).map((i) => m.local.set(this.local(R.gradNext(i)), f32x4Const(this.b, m, 0))),
      ...range(K).map((k) => m.local.set(this.acc[k], f32x4Const(this.b, m, 0))),
      ...this.tailMask(mode),
      m.local.set(this.col, m.i32.shl(this.getI(this.g), m.i32.const(2))),
      m.local.set(this.j, m.i32.sub(this.getI(this.numCk), m.i32.const(1))),
      m.loop(`segments_${mode}`, m.block(null, segment)),
      ...this.accumulate(mode),
    ]);
  }

  build(): void {
    const m = this.mod;
    const S = this.ir.numStates;
    const ck = this.kind === 'forward_ck' || this.kind === 'backward_ck';
    const extraFrom = this.kind === 'forward' ? 'out' : 'dy';
    const planes = ck
      ? [
        // J = ceil(T / k) checkpoint rows per state; k rows per state in seg.
        m.local.set(this.numCk, m.i32.div_s(m.i32.sub(m.i32.add(this.argI('T'), this.argI('k')), m.i32.const(1)), this.argI('k'))),
        ...Array.from({ length: S }, (_, i) => [
          m.local.set(this.ckBase[i], m.i32.add(this.argI('ck'), m.i32.mul(m.i32.const(i), m.i32.mul(this.getI(this.numCk), this.getI(this.rowBytes))))),
          ...(this.kind === 'backward_ck' ? [m.local.set(this.segBase[i], m.i32.add(this.argI('seg'), m.i32.mul(m.i32.const(i), m.i32.mul(this.argI('k'), this.getI(this.rowBytes)))))] : []),
        ]).flat(),
      ]
      : Array.from({ length: S }, (_, i) => [
        m.local.set(this.tapeBase[i], m.i32.add(this.argI('tape'), m.i32.mul(m.i32.const(i), this.getI(this.planeBytes)))),
        m.local.set(this.extraBase[i], m.i32.add(this.argI(extraFrom), m.i32.mul(m.i32.const(i + 1), this.getI(this.planeBytes)))),
      ]).flat();
    const setup: Ref[] = [
      ...this.paramArg.map((a, k) => m.local.set(this.paramLocal[k], m.f32x4.splat(m.local.get(a, this.b.f32)))),
      ...this.ir.invariants.map((c) => m.local.set(this.vars.get(c.name)!, m.f32x4.splat(m.local.get(this.invariantArg.get(c.name)!, this.b.f32)))),
      m.local.set(this.rowBytes, m.i32.shl(this.argI('M'), m.i32.const(2))),
      m.local.set(this.planeBytes, m.i32.mul(this.argI('T'), this.getI(this.rowBytes))),
      ...planes,
      ...this.sum.map((s) => m.local.set(s, m.v128.const(new Uint8Array(16)))),
    ];
    const groups = m.block('done', [
      m.br('done', m.i32.le_s(this.argI('T'), m.i32.const(0))),
      m.local.set(this.g, this.argI('begin')),
      m.loop('groups', m.block(null, [
        m.br('done', m.i32.ge_s(this.getI(this.g), this.argI('end'))),
        m.local.set(this.remaining, m.i32.sub(this.argI('end'), this.getI(this.g))),
        m.if(m.i32.ge_s(this.getI(this.remaining), m.i32.const(4)), this.group('full'), this.group('tail')),
        m.local.set(this.g, m.i32.add(this.getI(this.g), m.i32.const(4))),
        m.br('groups'),
      ])),
    ]);
    const results = this.sum.map((_, k) =>
      m.global.set(B.writes.gradParam(k), m.f64.add(m.f64x2.extract_lane(this.getV(this.sum[k]), 0), m.f64x2.extract_lane(this.getV(this.sum[k]), 1))));
    // The locals are all known once the body is built.
    const body = m.block(null, [...setup, groups, ...results]);
    m.addFunction(this.kind, this.b.createType(this.locals.paramTypes), this.b.none, this.locals.varTypes, body);
  }
}
