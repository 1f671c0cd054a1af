import { NirError } from './errors.js';
import { isNeuronNode, type NirGraph } from './ir.js';

/**
 * How the nodes of a NIR graph connect, in the form spikeflow reads: one Input, one Output, the
 * nodes between in an order where every node comes after its sources, and the recurrent loops
 * taken out (a neuron node fed back through one Affine, Linear or Scale node, as snnTorch's RLeaky
 * and RSynaptic are written).
 */
export interface GraphStructure {
  input: string;
  output: string;
  /** The nodes between Input and Output, sources first; feedback nodes left out. */
  order: string[];
  /** Per node, the nodes whose outputs it sums (feed-forward edges only), in the file's edge order. */
  sources: Map<string, string[]>;
  /** Per node, the nodes it feeds (feed-forward edges only). */
  consumers: Map<string, string[]>;
  /** Per recurrent neuron node, the node through which its spikes of step t-1 come back at step t. */
  feedback: Map<string, string>;
}

const FEEDBACK_TYPES = ['Affine', 'Linear', 'Scale'];

/** The structure of a graph; what spikeflow cannot read is an error naming the node. */
export function structureOf(graph: NirGraph): GraphStructure {
  const names = Object.keys(graph.nodes);
  const ofType = (t: string) => names.filter((n) => graph.nodes[n].type === t);
  const [inputs, outputs] = [ofType('Input'), ofType('Output')];
  if (inputs.length !== 1) throw new NirError(`the graph has ${inputs.length} Input nodes (${inputs.join(', ') || 'none'}); spikeflow reads graphs with exactly one`);
  if (outputs.length !== 1) throw new NirError(`the graph has ${outputs.length} Output nodes (${outputs.join(', ') || 'none'}); a spikeflow network has exactly one output`);
  const [input, output] = [inputs[0], outputs[0]];

  const seen = new Set<string>();
  let edges: Array<[string, string]> = [];
  for (const [a, b] of graph.edges) {
    for (const end of [a, b]) if (!Object.hasOwn(graph.nodes, end)) throw new NirError(`edge [${a}, ${b}] names "${end}", which is not a node`);
    const key = JSON.stringify([a, b]);
    if (seen.has(key)) throw new NirError(`the edge from "${a}" appears twice; spikeflow reads each connection once`, b);
    seen.add(key);
    edges.push([a, b]);
  }
  const into = (n: string) => edges.filter(([, d]) => d === n).map(([s]) => s);
  const from = (n: string) => edges.filter(([s]) => s === n).map(([, d]) => d);
  if (into(input).length > 0) throw new NirError(`the Input node has an incoming edge (from "${into(input)[0]}")`, input);
  if (from(output).length > 0) throw new NirError(`the Output node has an outgoing edge (to "${from(output)[0]}")`, output);

  // Recurrent loops: neuron N -> R -> N, R an Affine, Linear or Scale node that only N feeds and that only feeds N.
  const feedback = new Map<string, string>();
  for (const [r, n] of graph.edges) {
    const [neuron, back] = [graph.nodes[n], graph.nodes[r]];
    if (!isNeuronNode(neuron) || !FEEDBACK_TYPES.includes(back.type)) continue;
    if (into(r).join() !== n || from(r).join() !== n || feedback.has(n)) continue;
    feedback.set(n, r);
    edges = edges.filter(([s, d]) => !((s === n && d === r) || (s === r && d === n)));
  }
  const fed = new Set(feedback.values());

  // Topological order; among the nodes ready, the one whose first incoming edge comes first in the
  // file (spikeflow writes edges in layer order, so its own files come back in their layer order).
  const rank = new Map<string, number>();
  edges.forEach(([, d], i) => !rank.has(d) && rank.set(d, i));
  const pending = new Map(names.filter((n) => !fed.has(n)).map((n) => [n, into(n).length]));
  const ready = [input];
  const order: string[] = [];
  pending.delete(input);
  while (ready.length > 0) {
    ready.sort((a, b) => (rank.get(a) ?? -1) - (rank.get(b) ?? -1));
    const n = ready.shift()!;
    order.push(n);
    for (const d of from(n)) {
      const left = pending.get(d)! - 1;
      pending.set(d, left);
      if (left === 0) {
        pending.delete(d);
        ready.push(d);
      }
    }
  }
  if (pending.size > 0) {
    const stuck = [...pending.keys()];
    const cycle = findCycle(stuck, into);
    if (cycle) {
      throw new NirError(
        `closes a cycle ${[...cycle, cycle[0]].map((c) => `"${c}"`).join(' -> ')}; spikeflow reads recurrence as a neuron node fed back through one Affine, Linear or Scale node (snnTorch's RLeaky and RSynaptic)`,
        cycle[0],
      );
    }
    const unreached = stuck.find((n) => into(n).length === 0) ?? stuck[0];
    throw new NirError('is not reached from the Input node', unreached);
  }
  // Every node must lead to the Output: spikeflow runs what the output depends on.
  const needed = new Set<string>([output]);
  for (let i = order.length - 1; i >= 0; i--) if (from(order[i]).some((d) => needed.has(d))) needed.add(order[i]);
  const loose = order.find((n) => !needed.has(n));
  if (loose !== undefined) throw new NirError('its output reaches no Output node; spikeflow reads graphs whose every node leads to the Output', loose);
  if (order[order.length - 1] !== output) throw new NirError('is not the last node of the graph', output);

  const sources = new Map(names.map((n) => [n, into(n)]));
  const consumers = new Map(names.map((n) => [n, from(n)]));
  return { input, output, order: order.slice(1, -1), sources, consumers, feedback };
}

/** A cycle among `nodes` following incoming edges, as a list of nodes in edge direction. */
function findCycle(nodes: string[], into: (n: string) => string[]): string[] | undefined {
  const inSet = new Set(nodes);
  for (const start of nodes) {
    const path: string[] = [];
    const onPath = new Set<string>();
    let n: string | undefined = start;
    while (n !== undefined && !onPath.has(n)) {
      path.push(n);
      onPath.add(n);
      n = into(n).find((s) => inSet.has(s));
    }
    if (n !== undefined) return path.slice(path.indexOf(n)).reverse();
  }
  return undefined;
}

/** Every node of a graph spikeflow reads, Input first, Output last, each feedback node right after the neuron it feeds back. */
export function nodeOrder(graph: NirGraph): string[] {
  const g = structureOf(graph);
  return [g.input, ...g.order.flatMap((n) => (g.feedback.has(n) ? [n, g.feedback.get(n)!] : [n])), g.output];
}
