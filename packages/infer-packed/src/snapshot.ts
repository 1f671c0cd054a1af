// What compileStages reads of a network, as plain data that a worker thread can receive
// (structured clone): layer specs and shapes, every variable's values, and each neuron's step IR
// with its expressions as plain trees. A worker compiles the same stages from it as the main thread.
import { expr, type NeuronIR } from '@spikeflow/core/backend';

/** A variable as compileStages reads it: its size, and its values (asynchronously, as tfjs gives them). */
export interface PackableVariable {
  name: string;
  variable: { size: number; data(): Promise<unknown> };
}

/** The part of a neuron's compiled dynamics the packed engine runs. */
export interface PackableNeuron {
  kind: string;
  paramNames: string[];
  ir: Pick<NeuronIR, 'numStates' | 'numParams' | 'init' | 'invariants' | 'forward'>;
}

export interface PackableLayer {
  name: string;
  kind: string;
  spec: Record<string, unknown>;
  outputShape: number[];
  inputs: number[];
  variables: PackableVariable[];
  neuron?: PackableNeuron;
  emitsSpikes?: boolean;
}

/** What compileInference needs of a network: a spikeflow Network is one. */
export interface PackableNetwork {
  timeSteps: number;
  spec: { encoder: { kind: string }; input: { shape: readonly number[] } };
  layers: readonly PackableLayer[];
}

type PlainExpr =
  | { op: 'const'; value: number }
  | { op: 'var'; name: string }
  | { op: 'param'; index: number; name: string }
  | { op: string; a: PlainExpr; b?: PlainExpr };
interface PlainStmt { name: string; expr: PlainExpr }

interface SnapshotLayer extends Omit<PackableLayer, 'variables' | 'neuron'> {
  variables: Array<{ name: string; values: Float32Array }>;
  neuron?: { kind: string; paramNames: string[]; ir: { numStates: number; numParams: number; init: number[]; invariants: PlainStmt[]; forward: PlainStmt[] } };
}

/** A network as plain data (weights read once): post it to a worker, then revive it there. */
export interface NetworkSnapshot {
  timeSteps: number;
  spec: { encoder: { kind: string }; input: { shape: number[] } };
  layers: SnapshotLayer[];
}

function toPlain(e: expr.Expr): PlainExpr {
  const n = e.node;
  if (n.op === 'const' || n.op === 'var' || n.op === 'param') return { ...n };
  return 'b' in n ? { op: n.op, a: toPlain(n.a), b: toPlain(n.b) } : { op: n.op, a: toPlain(n.a) };
}

function fromPlain(p: PlainExpr): expr.Expr {
  if ('a' in p) {
    const node = p.b ? { op: p.op, a: fromPlain(p.a), b: fromPlain(p.b) } : { op: p.op, a: fromPlain(p.a) };
    return new expr.Expr(node as expr.ExprNode);
  }
  return new expr.Expr({ ...p } as expr.ExprNode);
}

const plainStmts = (s: NeuronIR['forward']): PlainStmt[] => s.map((x) => ({ name: x.name, expr: toPlain(x.expr) }));
const revivedStmts = (s: PlainStmt[]): NeuronIR['forward'] => s.map((x) => ({ name: x.name, expr: fromPlain(x.expr) }));

/** Reads every weight of `network` and returns it as plain data. */
export async function snapshotNetwork(network: PackableNetwork): Promise<NetworkSnapshot> {
  const layers: SnapshotLayer[] = [];
  for (const l of network.layers) {
    const variables = [];
    for (const v of l.variables) variables.push({ name: v.name, values: Float32Array.from(await v.variable.data() as ArrayLike<number>) });
    const ir = l.neuron?.ir;
    layers.push({
      name: l.name, kind: l.kind, spec: structuredClone(l.spec), outputShape: [...l.outputShape], inputs: [...l.inputs], emitsSpikes: l.emitsSpikes, variables,
      neuron: l.neuron && ir
        ? { kind: l.neuron.kind, paramNames: [...l.neuron.paramNames], ir: { numStates: ir.numStates, numParams: ir.numParams, init: [...ir.init], invariants: plainStmts(ir.invariants), forward: plainStmts(ir.forward) } }
        : undefined,
    });
  }
  return { timeSteps: network.timeSteps, spec: { encoder: { kind: network.spec.encoder.kind }, input: { shape: [...network.spec.input.shape] } }, layers };
}

/** The network a snapshot holds, for compileStages. */
export function reviveNetwork(s: NetworkSnapshot): PackableNetwork {
  return {
    timeSteps: s.timeSteps,
    spec: s.spec,
    layers: s.layers.map((l) => ({
      ...l,
      variables: l.variables.map((v) => ({ name: v.name, variable: { size: v.values.length, data: async () => v.values } })),
      neuron: l.neuron && { ...l.neuron, ir: { ...l.neuron.ir, invariants: revivedStmts(l.neuron.ir.invariants), forward: revivedStmts(l.neuron.ir.forward) } },
    })),
  };
}
