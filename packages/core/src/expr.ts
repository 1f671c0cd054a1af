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
type Unary = 'neg' | 'exp' | 'log' | 'sigmoid' | 'tanh' | 'abs' | 'sign' | 'step' | 'sqrt' | 'square';
/** `ge` is the spike: 1 where a >= b, else 0 (a constant in the backward pass). */
type Binary = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'ge';

export type ExprNode =
  | { op: 'const'; value: number }
  | { op: 'var'; name: VarName }
  | { op: 'param'; index: number; name: string }
  | { op: Unary; a: Expr }
  | { op: Binary; a: Expr; b: Expr };

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

const UNARY_FOLD: Record<Unary, (a: number) => number> = {
  neg: (a) => -a,
  exp: Math.exp,
  log: Math.log,
  sigmoid: (a) => 1 / (1 + Math.exp(-a)),
  tanh: Math.tanh,
  abs: Math.abs,
  sign: Math.sign,
  step: (a) => (a > 0 ? 1 : 0),
  sqrt: Math.sqrt,
  square: (a) => a * a,
};
const BINARY_FOLD: Record<Binary, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  max: Math.max,
  min: Math.min,
  ge: (a, b) => (a >= b ? 1 : 0),
};

function unary(op: Unary, a: Expr): Expr {
  if (a.constant !== undefined) return constant(UNARY_FOLD[op](a.constant));
  if (op === 'neg' && a.node.op === 'neg') return a.node.a;
  return new Expr({ op, a });
}

/** Builds a binary node, folding constants and the identities that derivatives produce in bulk. */
function binary(op: Binary, a: Expr, b: Expr): Expr {
  const ca = a.constant;
  const cb = b.constant;
  if (ca !== undefined && cb !== undefined) return constant(BINARY_FOLD[op](ca, cb));
  switch (op) {
    case 'add':
      if (ca === 0) return b;
      if (cb === 0) return a;
      break;
    case 'sub':
      if (cb === 0) return a;
      if (ca === 0) return unary('neg', b);
      break;
    case 'mul':
      if (ca === 0 || cb === 0) return constant(0);
      if (ca === 1) return b;
      if (cb === 1) return a;
      if (ca === -1) return unary('neg', b);
      if (cb === -1) return unary('neg', a);
      break;
    case 'div':
      if (ca === 0) return constant(0);
      if (cb === 1) return a;
      break;
  }
  return new Expr({ op, a, b });
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
    case 'add':
      return diff(n.a, t).add(diff(n.b, t));
    case 'sub':
      return diff(n.a, t).sub(diff(n.b, t));
    case 'mul':
      return diff(n.a, t).mul(n.b).add(n.a.mul(diff(n.b, t)));
    case 'div': {
      const db = diff(n.b, t);
      return diff(n.a, t).div(n.b).sub(db.constant === 0 ? 0 : n.a.mul(db).div(n.b.square()));
    }
    case 'max':
    case 'min': {
      // The gradient goes to the larger (max) or smaller (min) argument; ties go to `b`.
      const pickA = n.op === 'max' ? n.a.sub(n.b).step() : n.b.sub(n.a).step();
      return pickA.mul(diff(n.a, t)).add(constant(1).sub(pickA).mul(diff(n.b, t)));
    }
    case 'neg':
      return diff(n.a, t).neg();
    case 'exp':
      return e.mul(diff(n.a, t));
    case 'log':
      return diff(n.a, t).div(n.a);
    case 'sigmoid':
      return e.mul(constant(1).sub(e)).mul(diff(n.a, t));
    case 'tanh':
      return constant(1).sub(e.square()).mul(diff(n.a, t));
    case 'abs':
      return n.a.sign().mul(diff(n.a, t));
    case 'sign':
    case 'step':
    case 'ge':
      return constant(0);
    case 'sqrt':
      return diff(n.a, t).div(e.mul(2));
    case 'square':
      return n.a.mul(2).mul(diff(n.a, t));
  }
}

/** Rewrites the variables an expression reads (`rename` returns the new expression for a name). */
export function substitute(e: Expr, rename: (name: string) => Expr): Expr {
  const n = e.node;
  if (n.op === 'var') return rename(n.name);
  if (!('a' in n)) return e;
  const a = substitute(n.a, rename);
  if (!('b' in n)) return a === n.a ? e : new Expr({ op: n.op, a } as ExprNode);
  const b = substitute(n.b, rename);
  return a === n.a && b === n.b ? e : new Expr({ op: n.op, a, b } as ExprNode);
}

export interface PrintNames {
  /** How a variable is printed; default its own name. */
  var?: (name: string) => string;
  /** How a parameter is printed. */
  param: (index: number, name: string) => string;
}

function printer(lang: 'js' | 'wgsl') {
  const num = (c: number): string => {
    if (Number.isNaN(c)) throw new Error('expression constant NaN');
    if (lang === 'js') return c < 0 ? `(${c})` : String(c);
    // WGSL has no infinity (a constant expression may not be one): the largest finite f32 stands in.
    if (!Number.isFinite(c)) return c > 0 ? '3.4028234663852886e+38' : '(-3.4028234663852886e+38)';
    // WGSL: always a float literal; 9 significant digits round-trip float32.
    let s = c.toPrecision(9);
    if (!/[.e]/.test(s)) s += '.0';
    return c < 0 ? `(${s})` : s;
  };
  const fn =
    lang === 'js'
      ? { exp: 'Math.exp', log: 'Math.log', tanh: 'Math.tanh', abs: 'Math.abs', sign: 'Math.sign', sqrt: 'Math.sqrt', max: 'Math.max', min: 'Math.min' }
      : { exp: 'exp', log: 'log', tanh: 'tanh', abs: 'abs', sign: 'sign', sqrt: 'sqrt', max: 'max', min: 'min' };
  const one = lang === 'js' ? '1' : '1.0';
  const print = (e: Expr, names: PrintNames): string => {
    const n = e.node;
    const p = (x: Expr) => print(x, names);
    switch (n.op) {
      case 'const': return num(n.value);
      case 'var': return names.var ? names.var(n.name) : n.name;
      case 'param': return names.param(n.index, n.name);
      case 'add': return `(${p(n.a)} + ${p(n.b)})`;
      case 'sub': return `(${p(n.a)} - ${p(n.b)})`;
      case 'mul': return `(${p(n.a)} * ${p(n.b)})`;
      case 'div': return `(${p(n.a)} / ${p(n.b)})`;
      case 'max': return `${fn.max}(${p(n.a)}, ${p(n.b)})`;
      case 'min': return `${fn.min}(${p(n.a)}, ${p(n.b)})`;
      case 'ge': return lang === 'js' ? `(${p(n.a)} >= ${p(n.b)} ? 1 : 0)` : `select(0.0, 1.0, ${p(n.a)} >= ${p(n.b)})`;
      case 'neg': return `(-${p(n.a)})`;
      case 'sigmoid': return `(${one} / (${one} + ${fn.exp}(-${p(n.a)})))`;
      case 'square': return `(${p(n.a)} * ${p(n.a)})`;
      case 'step':
        return lang === 'js' ? `(${p(n.a)} > 0 ? 1 : 0)` : `select(0.0, 1.0, ${p(n.a)} > 0.0)`;
      default: return `${fn[n.op]}(${p(n.a)})`;
    }
  };
  return print;
}

/** JavaScript source of the expression (for CPU kernels); names map variables and parameters. */
export const toJs = printer('js');
/** WGSL source of the expression (f32), for fused WebGPU kernels. */
export const toWgsl = printer('wgsl');
