/**
 * A tiny expression language for neuron charge equations and surrogate gradients.
 *
 * A neuron plugin writes its charge H = f(V, X; params) once, as an Expr. From it spikeflow derives
 * the partial derivatives symbolically (for BPTT), evaluates it with tfjs ops (the reference path),
 * and prints it as JavaScript or WGSL (fused kernels). So a user's neuron is one small function that
 * every backend can run and differentiate.
 */

/** A variable's name: 'v', 'x', a state variable's name, or a name of the kernel generator's. */
export type VarName = string;
export type UnaryOp = 'neg' | 'exp' | 'log' | 'sigmoid' | 'tanh' | 'abs' | 'sign' | 'step' | 'sqrt' | 'square';
/** `ge` is the spike: 1 where a >= b, else 0 (a constant in the backward pass). */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'ge';
export type OpName = UnaryOp | BinaryOp;

export type ExprNode =
  | { op: 'const'; value: number }
  | { op: 'var'; name: VarName }
  | { op: 'param'; index: number; name: string }
  | UnaryNode
  | BinaryNode;
export interface UnaryNode { op: UnaryOp; a: Expr }
export interface BinaryNode { op: BinaryOp; a: Expr; b: Expr }

export type ExprLike = Expr | number;

export class Expr {
  /** True when the value reads a variable (so it cannot be computed once per call). */
  readonly varying: boolean;
  constructor(readonly node: ExprNode) {
    const n = node;
    this.varying = n.op === 'var' || ('a' in n && (n.a.varying || ('b' in n && n.b.varying)));
  }
  add(b: ExprLike): Expr { return binary('add', this, lift(b)); }
  sub(b: ExprLike): Expr { return binary('sub', this, lift(b)); }
  mul(b: ExprLike): Expr { return binary('mul', this, lift(b)); }
  div(b: ExprLike): Expr { return binary('div', this, lift(b)); }
  max(b: ExprLike): Expr { return binary('max', this, lift(b)); }
  min(b: ExprLike): Expr { return binary('min', this, lift(b)); }
  /** 1 where this >= b, else 0 (Heaviside of this - b with step(0) = 1); a constant in the backward pass. */
  ge(b: ExprLike): Expr { return binary('ge', this, lift(b)); }
  neg(): Expr { return unary('neg', this); }
  exp(): Expr { return unary('exp', this); }
  log(): Expr { return unary('log', this); }
  sigmoid(): Expr { return unary('sigmoid', this); }
  tanh(): Expr { return unary('tanh', this); }
  abs(): Expr { return unary('abs', this); }
  /** Heaviside with step(0) = 0; a constant in the backward pass. */
  step(): Expr { return unary('step', this); }
  sign(): Expr { return unary('sign', this); }
  sqrt(): Expr { return unary('sqrt', this); }
  square(): Expr { return unary('square', this); }
  /** True when the expression reads this variable. */
  uses(name: VarName): boolean {
    const n = this.node;
    if (n.op === 'var') return n.name === name;
    if (!('a' in n)) return false;
    return n.a.uses(name) || ('b' in n && n.b.uses(name));
  }
  /** The constant value, when the expression is one. */
  get constant(): number | undefined {
    return this.node.op === 'const' ? this.node.value : undefined;
  }
  /** Names of the variables the expression reads. */
  variables(into: Set<string> = new Set()): Set<string> {
    const n = this.node;
    if (n.op === 'var') into.add(n.name);
    else if ('a' in n) {
      n.a.variables(into);
      if ('b' in n) n.b.variables(into);
    }
    return into;
  }
  toString(): string {
    return toJs(this, { param: (_i, name) => name });
  }
}

export const lift = (e: ExprLike): Expr => {
  if (typeof e === 'number') return constant(e);
  if (e instanceof Expr) return e;
  throw new TypeError(`expected an expression or a number, got ${describe(e)}`);
};
const describe = (v: unknown): string => (v === null ? 'null' : typeof v === 'object' ? `an object (${JSON.stringify(v)?.slice(0, 60)})` : `${typeof v} ${String(v)}`);
export const constant = (value: number): Expr => {
  if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(`expression constant must be a number, got ${describe(value)}`);
  return new Expr({ op: 'const', value });
};
export const variable = (name: VarName): Expr => {
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new TypeError(`variable name must be an identifier, got ${describe(name)}`);
  return new Expr({ op: 'var', name });
};
export const param = (index: number, name: string): Expr => new Expr({ op: 'param', index, name });

/** Rewrites the variables an expression reads (`rename` returns the new expression for a name). */
export function substitute(e: Expr, rename: (name: string) => Expr): Expr {
  return e.node.op === 'var' ? rename(e.node.name) : mapOperands(e, (operand) => substitute(operand, rename));
}

/** The same node with each operand replaced by `f(operand)` (`e` itself where none changes; leaves as they are). */
export function mapOperands(e: Expr, f: (operand: Expr) => Expr): Expr {
  const n = e.node;
  if (!('a' in n)) return e;
  const a = f(n.a);
  if (!('b' in n)) return a === n.a ? e : new Expr({ op: n.op, a });
  const b = f(n.b);
  return a === n.a && b === n.b ? e : new Expr({ op: n.op, a, b });
}

// ---------------------------------------------------------------------------------------------
// The operator table: everything spikeflow knows about an operator, in one row. Emitters in other
// packages (tfjs ops, wasm SIMD) implement `OpEmitters<R>`, a mapped type over the same names, so
// an operator added here without a row or an emitter case fails to compile.

/** Per operator, what it makes of its operands' results: `(a)` for a unary, `(a, b)` for a binary operator. */
export type OpEmitters<R> = { readonly [K in OpName]: K extends UnaryOp ? (a: R) => R : (a: R, b: R) => R };

interface OperatorRow<Node, Args extends unknown[]> {
  readonly arity: Args['length'];
  /** Its value on numbers (constant folding, evalNumber). */
  readonly fold: (...args: { [I in keyof Args]: number }) => number;
  /** d(self)/dt, given the node, the expression itself and `d`, the derivative of an operand. */
  readonly diff: (n: Node, self: Expr, d: (operand: Expr) => Expr) => Expr;
  /** A simpler equal expression for these operands, if there is one (applied when the node is built). */
  readonly simplify?: (...args: { [I in keyof Args]: Expr }) => Expr | undefined;
  /** JavaScript and WGSL (f32) source, from the operands' source. */
  readonly js: (...args: { [I in keyof Args]: string }) => string;
  readonly wgsl: (...args: { [I in keyof Args]: string }) => string;
}
export type UnaryRow = OperatorRow<UnaryNode, [a: unknown]>;
export type BinaryRow = OperatorRow<BinaryNode, [a: unknown, b: unknown]>;
export type OperatorTable = { readonly [K in UnaryOp]: UnaryRow } & { readonly [K in BinaryOp]: BinaryRow };

/** A JS built-in and its WGSL namesake, for the operators both languages spell as a call. */
const call1 = (name: string) => ({ js: (a: string) => `Math.${name}(${a})`, wgsl: (a: string) => `${name}(${a})` });
const call2 = (name: string) => ({ js: (a: string, b: string) => `Math.${name}(${a}, ${b})`, wgsl: (a: string, b: string) => `${name}(${a}, ${b})` });
const infix = (symbol: string) => {
  const print = (a: string, b: string) => `(${a} ${symbol} ${b})`;
  return { js: print, wgsl: print };
};
/** Heaviside-like operators are constants in the backward pass. */
const flat = () => constant(0);

export const OPERATORS: OperatorTable = {
  add: {
    arity: 2, fold: (a, b) => a + b, ...infix('+'),
    diff: (n, _e, d) => d(n.a).add(d(n.b)),
    simplify: (a, b) => (a.constant === 0 ? b : b.constant === 0 ? a : undefined),
  },
  sub: {
    arity: 2, fold: (a, b) => a - b, ...infix('-'),
    diff: (n, _e, d) => d(n.a).sub(d(n.b)),
    simplify: (a, b) => (b.constant === 0 ? a : a.constant === 0 ? b.neg() : undefined),
  },
  mul: {
    arity: 2, fold: (a, b) => a * b, ...infix('*'),
    diff: (n, _e, d) => d(n.a).mul(n.b).add(n.a.mul(d(n.b))),
    simplify: (a, b) => {
      const [ca, cb] = [a.constant, b.constant];
      if (ca === 0 || cb === 0) return constant(0);
      if (ca === 1) return b;
      if (cb === 1) return a;
      if (ca === -1) return b.neg();
      if (cb === -1) return a.neg();
      return undefined;
    },
  },
  div: {
    arity: 2, fold: (a, b) => a / b, ...infix('/'),
    diff: (n, _e, d) => {
      const db = d(n.b);
      return d(n.a).div(n.b).sub(db.constant === 0 ? 0 : n.a.mul(db).div(n.b.square()));
    },
    simplify: (a, b) => (a.constant === 0 ? constant(0) : b.constant === 1 ? a : undefined),
  },
  // The gradient goes to the larger (max) or smaller (min) argument; ties go to `b`.
  max: {
    arity: 2, fold: Math.max, ...call2('max'),
    diff: (n, _e, d) => {
      const pickA = n.a.sub(n.b).step();
      return pickA.mul(d(n.a)).add(constant(1).sub(pickA).mul(d(n.b)));
    },
  },
  min: {
    arity: 2, fold: Math.min, ...call2('min'),
    diff: (n, _e, d) => {
      const pickA = n.b.sub(n.a).step();
      return pickA.mul(d(n.a)).add(constant(1).sub(pickA).mul(d(n.b)));
    },
  },
  ge: {
    arity: 2, fold: (a, b) => (a >= b ? 1 : 0), diff: flat,
    js: (a, b) => `(${a} >= ${b} ? 1 : 0)`,
    wgsl: (a, b) => `select(0.0, 1.0, ${a} >= ${b})`,
  },
  neg: {
    arity: 1, fold: (a) => -a, diff: (n, _e, d) => d(n.a).neg(),
    simplify: (a) => (a.node.op === 'neg' ? a.node.a : undefined),
    js: (a) => `(-${a})`,
    wgsl: (a) => `(-${a})`,
  },
  exp: { arity: 1, fold: Math.exp, diff: (n, e, d) => e.mul(d(n.a)), ...call1('exp') },
  log: { arity: 1, fold: Math.log, diff: (n, _e, d) => d(n.a).div(n.a), ...call1('log') },
  sigmoid: {
    arity: 1, fold: (a) => 1 / (1 + Math.exp(-a)),
    diff: (n, e, d) => e.mul(constant(1).sub(e)).mul(d(n.a)),
    js: (a) => `(1 / (1 + Math.exp(-${a})))`,
    wgsl: (a) => `(1.0 / (1.0 + exp(-${a})))`,
  },
  tanh: { arity: 1, fold: Math.tanh, diff: (n, e, d) => constant(1).sub(e.square()).mul(d(n.a)), ...call1('tanh') },
  abs: { arity: 1, fold: Math.abs, diff: (n, _e, d) => n.a.sign().mul(d(n.a)), ...call1('abs') },
  sign: { arity: 1, fold: Math.sign, diff: flat, ...call1('sign') },
  /** Heaviside with step(0) = 0. */
  step: {
    arity: 1, fold: (a) => (a > 0 ? 1 : 0), diff: flat,
    js: (a) => `(${a} > 0 ? 1 : 0)`,
    wgsl: (a) => `select(0.0, 1.0, ${a} > 0.0)`,
  },
  sqrt: { arity: 1, fold: Math.sqrt, diff: (n, e, d) => d(n.a).div(e.mul(2)), ...call1('sqrt') },
  square: {
    arity: 1, fold: (a) => a * a, diff: (n, _e, d) => n.a.mul(2).mul(d(n.a)),
    js: (a) => `(${a} * ${a})`,
    wgsl: (a) => `(${a} * ${a})`,
  },
};

/** Every operator of the expression language. */
export const OP_NAMES = Object.keys(OPERATORS) as OpName[];

export const isOperator = (op: string): op is OpName => Object.hasOwn(OPERATORS, op);

/**
 * A node whose operator this version of spikeflow does not know (built by hand, bypassing the
 * types), or that an emitter has no case for (an emitter built against an older @spikeflow/core).
 */
export class UnknownOperatorError extends Error {
  constructor(
    readonly operator: string,
    message = `operator "${operator}" is not an operator of spikeflow's expression language (${OP_NAMES.join(', ')})`,
  ) {
    super(message);
  }
}

/** The row of `op`, or UnknownOperatorError. */
function row(op: string): UnaryRow | BinaryRow {
  if (!isOperator(op)) throw new UnknownOperatorError(op);
  return OPERATORS[op];
}

/** One column of the table (fold, js or wgsl) as emitters. */
function column<R>(field: 'fold' | 'js' | 'wgsl'): OpEmitters<R> {
  return Object.fromEntries(OP_NAMES.map((op) => [op, OPERATORS[op][field]])) as unknown as OpEmitters<R>;
}

function unary(op: UnaryOp, a: Expr): Expr {
  const r = OPERATORS[op];
  if (a.constant !== undefined) return constant(r.fold(a.constant));
  return r.simplify?.(a) ?? new Expr({ op, a });
}

/** Builds a binary node, folding constants and the identities that derivatives produce in bulk. */
function binary(op: BinaryOp, a: Expr, b: Expr): Expr {
  const r = OPERATORS[op];
  if (a.constant !== undefined && b.constant !== undefined) return constant(r.fold(a.constant, b.constant));
  return r.simplify?.(a, b) ?? new Expr({ op, a, b });
}

export type DiffTarget = { var: VarName } | { param: number };

/** Symbolic derivative of `e` with respect to a variable or a parameter. */
export function diff(e: Expr, t: DiffTarget): Expr {
  const n = e.node;
  switch (n.op) {
    case 'const':
      return constant(0);
    case 'var':
      return constant('var' in t && t.var === n.name ? 1 : 0);
    case 'param':
      return constant('param' in t && t.param === n.index ? 1 : 0);
  }
  const d = (operand: Expr) => diff(operand, t);
  const r = row(n.op);
  return r.arity === 1 ? r.diff(n as UnaryNode, e, d) : r.diff(n as BinaryNode, e, d);
}

/** How an evaluator or emitter treats the leaves of an expression, and its operators. */
export interface ExprEmitter<R> {
  const(value: number): R;
  var(name: VarName): R;
  param(index: number, name: string): R;
  ops: OpEmitters<R>;
}

/**
 * Evaluates `e` bottom-up through `emitter`: the leaves, then each operator on its operands'
 * results (`a` before `b`). `operand` evaluates a sub-expression (default: this same walk), so an
 * emitter can intercept, e.g. to compute a repeated sub-expression once.
 */
export function walkExpr<R>(e: Expr, emitter: ExprEmitter<R>, operand?: (sub: Expr) => R): R {
  const n = e.node;
  switch (n.op) {
    case 'const': return emitter.const(n.value);
    case 'var': return emitter.var(n.name);
    case 'param': return emitter.param(n.index, n.name);
  }
  const r = row(n.op);
  const f = emitter.ops[n.op] as unknown;
  if (typeof f !== 'function') throw new UnknownOperatorError(n.op, `operator "${n.op}" has no case in this emitter (built against an older @spikeflow/core?)`);
  const sub = operand ?? ((x: Expr) => walkExpr(x, emitter));
  if (r.arity === 1) return (f as (a: R) => R)(sub(n.a));
  const a = sub(n.a);
  return (f as (a: R, b: R) => R)(a, sub((n as BinaryNode).b));
}

const FOLD = column<number>('fold');

/** Evaluates an expression to a number (parameters and variables given). */
export function evalNumber(e: Expr, params: number[] = [], vars: Record<string, number> = {}): number {
  return walkExpr(e, {
    const: (value) => value,
    var: (name) => {
      const v = vars[name];
      if (v === undefined) throw new Error(`expression reads "${name}", which was not given`);
      return v;
    },
    param: (index) => params[index],
    ops: FOLD,
  });
}

export interface PrintNames {
  /** How a variable is printed; default its own name. */
  var?: (name: string) => string;
  /** How a parameter is printed. */
  param: (index: number, name: string) => string;
}

const jsNumber = (c: number): string => {
  if (Number.isNaN(c)) throw new Error('expression constant NaN');
  return c < 0 ? `(${c})` : String(c);
};
const wgslNumber = (c: number): string => {
  if (Number.isNaN(c)) throw new Error('expression constant NaN');
  // WGSL has no infinity (a constant expression may not be one): the largest finite f32 stands in.
  if (!Number.isFinite(c)) return c > 0 ? '3.4028234663852886e+38' : '(-3.4028234663852886e+38)';
  // WGSL: always a float literal; 9 significant digits round-trip float32.
  let s = c.toPrecision(9);
  if (!/[.e]/.test(s)) s += '.0';
  return c < 0 ? `(${s})` : s;
};

function printer(num: (c: number) => string, ops: OpEmitters<string>) {
  return (e: Expr, names: PrintNames): string =>
    walkExpr(e, { const: num, var: (name) => (names.var ? names.var(name) : name), param: names.param, ops });
}

/** JavaScript source of the expression (for CPU kernels); names map variables and parameters. */
export const toJs = printer(jsNumber, column<string>('js'));
/** WGSL source of the expression (f32), for fused WebGPU kernels. */
export const toWgsl = printer(wgslNumber, column<string>('wgsl'));
