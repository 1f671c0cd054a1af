import { constant, diff, mapOperands, substitute, variable, type Expr } from './expr.js';

/**
 * The intermediate form of one neuron step, from which every implementation is emitted: the tfjs
 * reference op, the host kernel (cpu, wasm), the WGSL kernels, wasm SIMD and TensorFlow. It is a
 * list of named statements per step, forward and backward; an emitter only prints statements and
 * the loops around them, binding the names of `neuronStep` below (never spelling them itself).
 *
 * Parameters are `param` nodes (index k); sub-expressions of parameters only are computed once per
 * call as the invariants `c<j>`.
 */

/** `z0`, `z1`, ...: a family of IR names, one per state variable or parameter. */
const indexed = <P extends string>(prefix: P) => (i: number): `${P}${number}` => `${prefix}${i}`;

/**
 * What each step reads and writes, by name: the contract between buildNeuronIR and every emitter.
 * State variable i is 0 for V, then the plugin's own.
 */
export const neuronStep = {
  forward: {
    reads: {
      /** X[t]. */
      input: 'x',
      /** State i after step t-1 (its initial value at t = 0). */
      state: indexed('z'),
    },
    writes: {
      /** S[t]. */
      spike: 'sp',
      /** State i after step t. */
      state: indexed('n'),
    },
    /** Statements an emitter may inspect: H[t], and the threshold (absent where it is a constant). */
    defines: { charge: 'h', threshold: 'th' },
  },
  /** The backward pass of step t recomputes what it needs of the forward step from its reads. */
  backward: {
    reads: {
      input: 'x',
      state: indexed('z'),
      /** dL/dS[t]. */
      gradSpike: 'gs',
      /** dL/d state i [t] from the op's output (the state in `withV` output). */
      gradOutput: indexed('o'),
      /** dL/d state i [t] flowing back from step t+1 (zero after the last step). */
      gradNext: indexed('g'),
    },
    writes: {
      /** dL/dX[t]. */
      gradInput: 'gx',
      /** dL/d state i [t-1]: becomes gradNext of step t-1. */
      gradState: indexed('m'),
      /** This step's share of dL/dparam k. */
      gradParam: indexed('q'),
    },
  },
  /** Invariant j, computed once per call before the loops; both passes may read it. */
  invariant: indexed('c'),
  isInvariant: (name: string): boolean => /^c\d+$/.test(name),
} as const;

export interface Stmt {
  name: string;
  expr: Expr;
}

export interface NeuronIR {
  /** 1 + the plugin's state variables; state 0 is V. */
  numStates: number;
  numParams: number;
  /** Initial value of each state variable. */
  init: number[];
  /** Computed once per call, before the loops: read parameters and constants only. */
  invariants: Stmt[];
  forward: Stmt[];
  backward: Stmt[];
  /** What the backward statements read of `neuronStep.backward.reads` (by name). */
  backwardReads: Set<string>;
}

/** The dynamics of a neuron layer as the plugin states them, with the plugin's own variable names. */
export interface NeuronDynamics {
  /** Names the neuron in error messages. */
  kind: string;
  /** State variables: [V, ...the plugin's], with their names ('v' first) and initial values. */
  states: Array<{ name: string; init: number }>;
  numParams: number;
  /** H[t] from v, x, the state variables and the parameters. */
  charge: Expr;
  /** The firing threshold from v, the state variables and the parameters. */
  threshold: Expr;
  /** Per state variable after V: its value before the jump, from h, v, x, state and parameters. */
  updates: Expr[];
  /** Per state variable after V: what a spike adds to it. */
  jumps: Expr[];
  /** null = soft reset. */
  vReset: number | null;
  detachReset: boolean;
  /** dS/dH as a function of `u` = H - threshold. */
  surrogate: Expr;
  surrogateKind: string;
}

export class NeuronDefinitionError extends Error {}

/** Checks that `e` reads only `allowed` names (the plugin's), and renames them to the IR's. */
function rename(kind: string, where: string, e: Expr, allowed: Map<string, string>): Expr {
  const unknown = [...e.variables()].filter((n) => !allowed.has(n));
  if (unknown.length > 0) {
    throw new NeuronDefinitionError(
      `neuron "${kind}": ${where} reads undeclared variable${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')} (${where} may read: ${[...allowed.keys()].join(', ')})`,
    );
  }
  return substitute(e, (n) => variable(allowed.get(n)!));
}

/** Builds the step IR: forward and backward statements, derivatives taken symbolically, constants hoisted. */
export function buildNeuronIR(d: NeuronDynamics): NeuronIR {
  const S = d.states.length;
  const K = S - 1;
  const { forward: F, backward: B } = neuronStep;
  const stateNames = new Map<string, string>(d.states.map((s, i) => [s.name, F.reads.state(i)]));
  const stateOnly = new Map([...stateNames]);
  const withX = new Map([...stateNames, ['x', F.reads.input]]);
  const withH = new Map([...withX, ['h', F.defines.charge]]);
  const C = rename(d.kind, 'charge', d.charge, withX);
  const TH = rename(d.kind, 'threshold', d.threshold, stateOnly);
  const U = d.updates.map((u, k) => rename(d.kind, `state "${d.states[k + 1].name}" update`, u, withH));
  const J = d.jumps.map((j, k) => rename(d.kind, `state "${d.states[k + 1].name}" jump`, j, withH));
  const surrogateVars = [...d.surrogate.variables()].filter((n) => n !== 'u');
  if (surrogateVars.length > 0) throw new NeuronDefinitionError(`surrogate "${d.surrogateKind}": its gradient may read only u = H - threshold, not ${surrogateVars.join(', ')}`);
  const hard = d.vReset !== null;
  const vReset = d.vReset ?? 0;
  const v = variable;

  // Statement lists; `bind` inlines constants so that no statement is a bare number.
  const block = () => {
    const stmts: Stmt[] = [];
    const bind = (name: string, expr: Expr, keep = false): Expr => {
      if (!keep && (expr.constant !== undefined || expr.node.op === 'var' || expr.node.op === 'param')) return expr;
      stmts.push({ name, expr });
      return v(name);
    };
    return { stmts, bind };
  };
  const step = (bind: (name: string, expr: Expr, keep?: boolean) => Expr) => {
    const h = bind(F.defines.charge, C, true);
    const th = bind(F.defines.threshold, TH);
    const sp = bind(F.writes.spike, h.ge(th), true);
    const a = U.map((u, k) => bind(`a${k + 1}`, u));
    const j = J.map((jk, k) => bind(`j${k + 1}`, jk));
    return { h, th, sp, a, j };
  };

  // Forward.
  const fwd = block();
  const f = step(fwd.bind);
  fwd.bind(F.writes.state(0), hard ? f.h.mul(constant(1).sub(f.sp)).add(f.sp.mul(vReset)) : f.h.sub(f.th.mul(f.sp)), true);
  for (let k = 1; k <= K; k++) fwd.bind(F.writes.state(k), f.a[k - 1].add(f.sp.mul(f.j[k - 1])), true);

  // Backward of one step, by the chain rule through reset, fire, threshold, updates and charge.
  const bwd = block();
  const b = step(bwd.bind);
  const u = bwd.bind('u', b.h.sub(b.th));
  const sg = bwd.bind('sg', substitute(d.surrogate, () => u));
  const e = d.states.map((_, i) => bwd.bind(`e${i}`, v(B.reads.gradNext(i)).add(v(B.reads.gradOutput(i)))));
  let gsp: Expr = v(B.reads.gradSpike);
  if (!d.detachReset) gsp = gsp.add(e[0].mul(hard ? constant(vReset).sub(b.h) : b.th.neg()));
  for (let k = 1; k <= K; k++) gsp = gsp.add(e[k].mul(b.j[k - 1]));
  const gu = bwd.bind('gu', bwd.bind('gsp', gsp).mul(sg));
  let gh: Expr = (hard ? e[0].mul(constant(1).sub(b.sp)) : e[0]).add(gu);
  for (let k = 1; k <= K; k++) gh = gh.add(e[k].mul(diff(U[k - 1], { var: F.defines.charge }).add(b.sp.mul(diff(J[k - 1], { var: F.defines.charge })))));
  const ghv = bwd.bind('gh', gh);
  const gth = bwd.bind('gth', hard ? gu.neg() : gu.add(e[0].mul(b.sp)).neg());
  const through = (t: { var: string } | { param: number }): Expr => {
    let g = ghv.mul(diff(C, t)).add(gth.mul(diff(TH, t)));
    for (let k = 1; k <= K; k++) g = g.add(e[k].mul(diff(U[k - 1], t).add(b.sp.mul(diff(J[k - 1], t)))));
    return g;
  };
  const W = B.writes;
  const outputs = [W.gradInput, ...d.states.map((_, i) => W.gradState(i)), ...Array.from({ length: d.numParams }, (_, k) => W.gradParam(k))];
  bwd.bind(W.gradInput, through({ var: B.reads.input }), true);
  for (let i = 0; i < S; i++) bwd.bind(W.gradState(i), through({ var: B.reads.state(i) }), true);
  for (let k = 0; k < d.numParams; k++) bwd.bind(W.gradParam(k), through({ param: k }), true);

  const backward = eliminateDead(bwd.stmts, new Set(outputs));
  const hoisted = hoist([fwd.stmts, backward]);
  const defined = new Set(hoisted.lists[1].map((s) => s.name));
  const backwardReads = new Set<string>();
  for (const s of hoisted.lists[1]) for (const n of s.expr.variables()) if (!defined.has(n) && !neuronStep.isInvariant(n)) backwardReads.add(n);
  return {
    numStates: S,
    numParams: d.numParams,
    init: d.states.map((s) => s.init),
    invariants: hoisted.invariants,
    forward: hoisted.lists[0],
    backward: hoisted.lists[1],
    backwardReads,
  };
}

/** Drops statements no output needs. */
function eliminateDead(stmts: Stmt[], outputs: Set<string>): Stmt[] {
  const needed = new Set(outputs);
  const kept: Stmt[] = [];
  for (let i = stmts.length - 1; i >= 0; i--) {
    if (!needed.has(stmts[i].name)) continue;
    kept.unshift(stmts[i]);
    stmts[i].expr.variables(needed);
  }
  return kept;
}

/**
 * Replaces every sub-expression that reads parameters and constants only (PLIF's sigmoid(w), a
 * constant partial) by an invariant computed once per call; identical ones are shared.
 */
function hoist(lists: Stmt[][]): { lists: Stmt[][]; invariants: Stmt[] } {
  const invariants: Stmt[] = [];
  const byText = new Map<string, Expr>();
  const rewrite = (e: Expr): Expr => {
    const n = e.node;
    if (!e.varying && n.op !== 'const' && n.op !== 'param') {
      const text = e.toString();
      let ref = byText.get(text);
      if (!ref) {
        const name = neuronStep.invariant(invariants.length);
        invariants.push({ name, expr: e });
        ref = variable(name);
        byText.set(text, ref);
      }
      return ref;
    }
    return mapOperands(e, rewrite);
  };
  return { lists: lists.map((l) => l.map((s) => ({ name: s.name, expr: rewrite(s.expr) }))), invariants };
}
