// The per-call constants of a neuron step (the IR's invariants: PLIF's sigmoid(w), ...), computed
// in float64 from the parameters with core's evaluator, as the JavaScript host kernel computes them.
import { evalNumber, type NeuronIR } from '@spikeflow/core/backend';

/** The invariants' values, in the IR's order (each may read the parameters and earlier invariants). */
export function invariantValues(ir: NeuronIR, params: ArrayLike<number>): number[] {
  const p = Array.from(params);
  const vars: Record<string, number> = {};
  return ir.invariants.map((c) => (vars[c.name] = evalNumber(c.expr, p, vars)));
}
