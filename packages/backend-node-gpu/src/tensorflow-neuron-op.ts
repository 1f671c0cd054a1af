// The multi-step neuron op for tfjs's 'tensorflow' backend (tfjs-node, tfjs-node-gpu), emitted from
// the neuron's step IR. Every tfjs kernel there is a call through N-API into libtensorflow, so the
// op makes as few calls per time step as TensorFlow's op set allows: whatever does not depend on
// the previous step runs once over all T ([T, M] at a time), and only the recurrence is a loop.
//
// Per time step (README, "Native calls per time step"):
//   forward, one state variable and a charge affine in V (IF, LIF, PLIF): Mul, Add (H = a*V + b[t]),
//     GreaterEqual (spike), Select (reset) = 4; a soft reset adds a Sub. Other neurons evaluate
//     their forward statements per step.
//   backward: the gradient flowing back through the state is linear in itself,
//     dL/dZ[t-1] = A[t] dL/dZ[t] + B[t], with A and B computed for all T at once: per step S*S Mul
//     and S*S Add for S state variables (2 for IF, LIF, PLIF).
import * as tf from '@tensorflow/tfjs';
import { constant, variable, type Expr } from '@spikeflow/core';
import { diff, evalTf, makeNeuronOp, neuronStep, substitute, type CompiledNeuron, type NeuronOp, type NeuronStmt } from '@spikeflow/core/backend';

type Vars = Record<string, tf.Tensor>;

const { forward: F, backward: BWD } = neuronStep;

/** Evaluates statements in order into `vars` (on whatever shape the inputs have: [M] or [T, M]). */
function run(stmts: NeuronStmt[], vars: Vars, params: tf.Tensor[]): Vars {
  for (const s of stmts) vars[s.name] = evalTf(s.expr, { vars, params });
  return vars;
}

/**
 * TensorFlow's Select, called directly: tf.where first broadcasts its three inputs, and broadcasting
 * a tensor to its own shape is still one Identity call each.
 */
const select = (condition: tf.Tensor, t: tf.Tensor, e: tf.Tensor): tf.Tensor => tf.engine().runKernel('Select', { condition, t, e }) as tf.Tensor;

const full = (t: tf.Tensor, T: number, M: number): tf.Tensor => (t.rank === 2 ? t : tf.broadcastTo(t, [T, M]));

/** What the fast forward pass needs: H = a*V + b, and a threshold that does not vary over time. */
export interface AffineForward {
  a: Expr;
  b: Expr;
  threshold: Expr;
}

/**
 * The fast forward pass applies to a neuron with V as its only state, whose forward statements are
 * the charge H (affine in V: dH/dV does not read V), the spike H >= threshold (the threshold
 * reading parameters and constants only) and the reset.
 */
export function affineForward(n: CompiledNeuron): AffineForward | undefined {
  const { ir } = n;
  if (ir.numStates !== 1) return undefined;
  const names = ir.forward.map((s) => s.name).sort().join(',');
  const [charge, spike, v, vNext] = [F.defines.charge, F.writes.spike, F.reads.state(0), F.writes.state(0)];
  if (names !== [charge, vNext, spike].sort().join(',')) return undefined;
  const h = ir.forward.find((s) => s.name === charge)!.expr;
  const sp = ir.forward.find((s) => s.name === spike)!.expr;
  if (sp.node.op !== 'ge' || sp.node.a.node.op !== 'var' || sp.node.a.node.name !== charge) return undefined;
  const threshold = sp.node.b;
  if ([...threshold.variables()].some((name) => !neuronStep.isInvariant(name))) return undefined;
  const a = diff(h, { var: v });
  if (a.variables().has(v)) return undefined;
  return { a, b: substitute(h, (name) => (name === v ? constant(0) : variable(name))), threshold };
}

/** The name of d(statement `name`)/d gradNext(j) among the Jacobian statements. */
const jacobianName = (name: string, j: number) => `d_${name}_${j}`;

/**
 * Statements for d(statement)/d g<j>, the derivative of every backward statement with respect to
 * the gradient flowing in from the next step, by forward-mode differentiation through the list.
 * The state gradients m<i> are linear in the g<j>, so d m<i>/d g<j> reads no g.
 */
function gradientJacobian(stmts: NeuronStmt[], S: number): NeuronStmt[] {
  const out: NeuronStmt[] = [];
  const defined = new Set<string>();
  for (const s of stmts) {
    for (let j = 0; j < S; j++) {
      let d: Expr = diff(s.expr, { var: BWD.reads.gradNext(j) });
      for (const p of s.expr.variables()) {
        if (!defined.has(p)) continue;
        const dp = jacobianName(p, j);
        if (!out.some((o) => o.name === dp)) continue; // p does not depend on g<j>
        const partial = diff(s.expr, { var: p });
        if (partial.constant !== 0) d = d.add(partial.mul(variable(dp)));
      }
      if (d.constant !== 0) out.push({ name: jacobianName(s.name, j), expr: d });
    }
    defined.add(s.name);
  }
  return out;
}

/** The multi-step op for one neuron layer's dynamics. */
export function tensorflowNeuronOp(n: CompiledNeuron): NeuronOp {
  const { ir } = n;
  const S = ir.numStates;
  const fast = affineForward(n);
  const jacobian = gradientJacobian(ir.backward, S);

  const forward = (x: tf.Tensor2D, params: tf.Tensor[], withV: boolean) => {
    const out = tf.tidy(() => {
      const [T, M] = x.shape;
      const inv = run(ir.invariants, {}, params);
      const states: tf.Tensor[][] = ir.init.map(() => []);
      let spikes: tf.Tensor;
      if (fast) {
        const all = { ...inv, [F.reads.input]: x };
        const aAll = evalTf(fast.a, { vars: all, params });
        const a = aAll.rank === 0 ? aAll : tf.unstack(full(aAll, T, M));
        const b = tf.unstack(full(evalTf(fast.b, { vars: all, params }), T, M));
        const th = evalTf(fast.threshold, { vars: inv, params });
        const resetTo = n.vReset !== null ? tf.fill([M], n.vReset) : undefined;
        let v: tf.Tensor = tf.fill([M], ir.init[0]);
        const fired: tf.Tensor[] = [];
        for (let t = 0; t < T; t++) {
          const h = tf.add(tf.mul(Array.isArray(a) ? a[t] : a, v), b[t]);
          const f = tf.greaterEqual(h, th);
          v = select(f, resetTo ?? tf.sub(h, th), h);
          fired.push(f);
          states[0].push(v);
        }
        spikes = tf.cast(tf.stack(fired), 'float32');
      } else {
        const xs = tf.unstack(x);
        let z = ir.init.map((v) => tf.fill([M], v));
        const sp: tf.Tensor[] = [];
        for (let t = 0; t < T; t++) {
          const vars: Vars = { ...inv, [F.reads.input]: xs[t] };
          z.forEach((zi, i) => (vars[F.reads.state(i)] = zi));
          run(ir.forward, vars, params);
          sp.push(vars[F.writes.spike]);
          z = z.map((_, i) => vars[F.writes.state(i)]);
          z.forEach((zi, i) => states[i].push(zi));
        }
        spikes = tf.stack(sp);
      }
      const tape = tf.stack(states.map((s) => tf.stack(s)));
      return [withV ? tf.concat([tf.expandDims(spikes, 0), tape]) : spikes, tape];
    });
    return { value: out[0], tape: out[1] };
  };

  const backward = (dy: tf.Tensor, tape: tf.Tensor, x: tf.Tensor2D, params: tf.Tensor[], withV: boolean) =>
    tf.tidy(() => {
      const [T, M] = x.shape;
      const parts = withV ? tf.unstack(dy) : [dy];
      const { reads: R, writes: W } = BWD;
      const base: Vars = { ...run(ir.invariants, {}, params), [R.input]: x, [R.gradSpike]: parts[0] };
      // z<i> for every step: the state after the step before (the initial value at t = 0).
      const tapes = S === 1 ? [tf.squeeze(tape, [0])] : tf.unstack(tape);
      for (let i = 0; i < S; i++) {
        base[R.state(i)] = T === 1 ? tf.fill([1, M], ir.init[i]) : tf.concat([tf.fill([1, M], ir.init[i]), tf.slice(tapes[i], [0, 0], [T - 1, M])]);
        base[R.gradOutput(i)] = withV ? parts[1 + i] : tf.scalar(0);
      }
      // B[t] (m<i> with no gradient from step t+1) and A[t] (d m<i> / d g<j>), for all T at once.
      const zeroIn: Vars = { ...base };
      for (let j = 0; j < S; j++) zeroIn[R.gradNext(j)] = tf.scalar(0);
      run(ir.backward, zeroIn, params);
      run(jacobian, zeroIn, params);
      const B = Array.from({ length: S }, (_, i) => tf.unstack(full(zeroIn[W.gradState(i)], T, M)));
      const A = Array.from({ length: S }, (_, i) =>
        Array.from({ length: S }, (_, j) => {
          const d = zeroIn[jacobianName(W.gradState(i), j)];
          return d === undefined ? undefined : d.rank === 0 ? d : tf.unstack(full(d, T, M));
        }),
      );
      const at = (d: tf.Tensor | tf.Tensor[], t: number) => (Array.isArray(d) ? d[t] : d);
      // The recurrence: g[t] is what flows into step t from step t+1 (zero after the last step).
      const g: tf.Tensor[][] = Array.from({ length: S }, () => new Array<tf.Tensor>(T));
      let carry: Array<tf.Tensor | undefined> = new Array(S).fill(undefined);
      for (let t = T - 1; t >= 0; t--) {
        for (let i = 0; i < S; i++) g[i][t] = carry[i] ?? tf.zeros([M]);
        const next: tf.Tensor[] = [];
        for (let i = 0; i < S; i++) {
          let m = B[i][t];
          for (let j = 0; j < S; j++) {
            const a = A[i][j];
            if (a !== undefined && carry[j] !== undefined) m = tf.add(m, tf.mul(at(a, t), carry[j]!));
          }
          next.push(m);
        }
        carry = next;
      }
      // With every g known, the input and parameter gradients for all T at once.
      const vars: Vars = { ...base };
      for (let j = 0; j < S; j++) vars[R.gradNext(j)] = tf.stack(g[j]);
      run(ir.backward, vars, params);
      return [full(vars[W.gradInput], T, M), ...params.map((_, k) => tf.sum(full(vars[W.gradParam(k)], T, M)))];
    });

  return makeNeuronOp(n, { forward, backward });
}
