import { NirError } from './errors.js';
import { isTree, type Leaf, type Tree } from './hdf5.js';
import { NEURON_PARAMS, NIR_VERSION, NODE_TYPES, SPIKING_TYPES, type Metadata, type NdArray, type NeuronNodeType, type NirGraph, type NirNode } from './ir.js';

/*
 * NIR's HDF5 layout (as Python NIR's serialization writes it):
 *   /version            variable-length UTF-8 string
 *   /node/type          "NIRGraph"
 *   /node/edges         [E, 2] variable-length UTF-8 strings
 *   /node/nodes/<name>/ one group per node: `type` (string) and its parameters under NIR's
 *                       snake_case names; arrays as float datasets, integers as int64
 *   .../metadata/       optional group of free-form datasets
 */

const tree = (entries: Array<[string, Tree | Leaf | undefined]>): Tree => ({
  group: new Map(entries.filter((e): e is [string, Tree | Leaf] => e[1] !== undefined)),
});
const str = (s: string): Leaf => ({ dtype: 'string', shape: [], data: [s] });
const ints = (v: readonly number[]): Leaf => ({ dtype: 'int64', shape: [v.length], data: [...v] });
const int = (v: number): Leaf => ({ dtype: 'int64', shape: [], data: [v] });
const floats = (a: NdArray): Leaf => ({ dtype: a.data instanceof Float64Array ? 'float64' : 'float32', shape: a.shape, data: a.data });

function metadataTree(meta: Metadata | undefined): Tree | undefined {
  if (!meta || Object.keys(meta).length === 0) return undefined; // NIR skips empty metadata
  return tree(Object.entries(meta).map(([k, v]) => [k, typeof v === 'string' ? str(v) : { dtype: 'float64', shape: [], data: Float64Array.of(v) }]));
}

function nodeTree(node: NirNode): Tree {
  const meta: [string, Tree | undefined] = ['metadata', metadataTree(node.metadata)];
  switch (node.type) {
    case 'Input':
    case 'Output':
      return tree([['type', str(node.type)], ['shape', ints(node.shape)], meta]);
    case 'Affine':
      return tree([['type', str('Affine')], ['weight', floats(node.weight)], ['bias', floats(node.bias)], meta]);
    case 'Linear':
      return tree([['type', str('Linear')], ['weight', floats(node.weight)], meta]);
    case 'Conv2d':
      return tree([
        ['type', str('Conv2d')],
        ['input_shape', node.inputShape ? ints(node.inputShape) : undefined],
        ['weight', floats(node.weight)],
        ['stride', ints(node.stride)],
        ['padding', typeof node.padding === 'string' ? str(node.padding) : ints(node.padding)],
        ['dilation', ints(node.dilation)],
        ['groups', int(node.groups)],
        ['bias', floats(node.bias)],
        meta,
      ]);
    case 'Flatten':
      return tree([
        ['type', str('Flatten')],
        ['input_type', node.inputType ? ints(node.inputType) : undefined],
        ['start_dim', int(node.startDim)],
        ['end_dim', int(node.endDim)],
        meta,
      ]);
    case 'SumPool2d':
    case 'AvgPool2d':
      return tree([['type', str(node.type)], ['kernel_size', ints(node.kernelSize)], ['stride', ints(node.stride)], ['padding', ints(node.padding)], meta]);
    case 'Scale':
      return tree([['type', str('Scale')], ['scale', floats(node.scale)], meta]);
    case 'Threshold':
      return tree([['type', str('Threshold')], ['threshold', floats(node.threshold)], meta]);
    case 'IF':
    case 'LIF':
    case 'LI':
    case 'CubaLIF':
      return tree([['type', str(node.type)], ...Object.entries(node.params).map(([k, a]): [string, Leaf] => [k, floats(a)]), meta]);
  }
}

/** The HDF5 tree of a graph, in NIR's layout. */
export function graphToTree(graph: NirGraph): Tree {
  const names = Object.keys(graph.nodes);
  for (const [a, b] of graph.edges) {
    for (const end of [a, b]) if (!Object.hasOwn(graph.nodes, end)) throw new NirError(`edge [${a}, ${b}] names "${end}", which is not a node (nodes: ${names.join(', ')})`);
  }
  const nodes = tree(names.map((n) => [n, nodeTree(graph.nodes[n])]));
  const edges: Leaf = { dtype: 'string', shape: [graph.edges.length, 2], data: graph.edges.flat() };
  return tree([
    ['version', str(graph.version ?? NIR_VERSION)],
    ['node', tree([['type', str('NIRGraph')], ['nodes', nodes], ['edges', edges], ['metadata', metadataTree(graph.metadata)]])],
  ]);
}

/** Reads a node's datasets; every error names the node and the dataset. */
class NodeReader {
  constructor(
    readonly name: string,
    readonly group: Tree,
    readonly type: string,
  ) {}

  has(key: string): boolean {
    return this.group.group.has(key);
  }

  private leaf(key: string): Leaf {
    const e = this.group.group.get(key);
    if (e === undefined) throw new NirError(`${this.type} node lacks the dataset "${key}"`, this.name);
    if (isTree(e)) throw new NirError(`"${key}" of this ${this.type} node is a group, expected a dataset`, this.name);
    return e;
  }

  array(key: string): NdArray {
    const l = this.leaf(key);
    if (l.dtype === 'string') throw new NirError(`"${key}" of this ${this.type} node holds strings, expected numbers`, this.name);
    return { shape: l.shape, data: l.dtype === 'int64' ? Float64Array.from(l.data) : l.data };
  }

  ints(key: string, length?: number): number[] {
    const a = this.array(key);
    const values = Array.from(a.data);
    if (!values.every(Number.isInteger)) throw new NirError(`"${key}" of this ${this.type} node must hold integers, got [${values}]`, this.name);
    if (length !== undefined && values.length === 1 && a.shape.length === 0) return new Array<number>(length).fill(values[0]);
    if (length !== undefined && values.length !== length) throw new NirError(`"${key}" of this ${this.type} node must hold ${length} integers, got [${values}]`, this.name);
    return values;
  }

  int(key: string): number {
    const v = this.ints(key);
    if (v.length !== 1) throw new NirError(`"${key}" of this ${this.type} node must be one integer, got [${v}]`, this.name);
    return v[0];
  }

  string(key: string): string | undefined {
    const l = this.leaf(key);
    return l.dtype === 'string' && l.data.length === 1 ? l.data[0] : undefined;
  }

  pair(key: string): [number, number] {
    const [a, b] = this.ints(key, 2);
    return [a, b];
  }

  metadata(): Metadata | undefined {
    const m = this.group.group.get('metadata');
    return isTree(m) ? readMetadata(m) : undefined;
  }
}

function readMetadata(m: Tree): Metadata {
  const out: Metadata = {};
  for (const [k, v] of m.group) {
    if (isTree(v) || v.data.length !== 1) continue; // spikeflow reads scalar metadata only
    out[k] = v.dtype === 'string' ? v.data[0] : Number(v.data[0]);
  }
  return out;
}

function readNode(name: string, group: Tree): NirNode {
  const typeLeaf = group.group.get('type');
  const type = typeLeaf && !isTree(typeLeaf) && typeLeaf.dtype === 'string' ? typeLeaf.data[0] : undefined;
  if (type === undefined) throw new NirError('has no "type" string dataset', name);
  if (!(NODE_TYPES as readonly string[]).includes(type)) {
    throw new NirError(`unsupported node type "${type}"; spikeflow reads ${NODE_TYPES.join(', ')}`, name);
  }
  const r = new NodeReader(name, group, type);
  const metadata = r.metadata();
  const withMeta = <T extends NirNode>(n: T): T => (metadata ? { ...n, metadata } : n);
  switch (type as NirNode['type']) {
    case 'Input':
      return withMeta({ type: 'Input', shape: r.ints('shape') });
    case 'Output':
      return withMeta({ type: 'Output', shape: r.ints('shape') });
    case 'Affine':
      return withMeta({ type: 'Affine', weight: r.array('weight'), bias: r.array('bias') });
    case 'Linear':
      return withMeta({ type: 'Linear', weight: r.array('weight') });
    case 'Conv2d': {
      const padding = r.string('padding');
      if (padding !== undefined && padding !== 'same' && padding !== 'valid') throw new NirError(`padding must be 'same', 'valid' or integers, got "${padding}"`, name);
      return withMeta({
        type: 'Conv2d',
        inputShape: r.has('input_shape') ? r.pair('input_shape') : undefined,
        weight: r.array('weight'),
        stride: r.pair('stride'),
        padding: (padding as 'same' | 'valid' | undefined) ?? r.pair('padding'),
        dilation: r.pair('dilation'),
        groups: r.int('groups'),
        bias: r.array('bias'),
      });
    }
    case 'Flatten':
      return withMeta({
        type: 'Flatten',
        inputType: r.has('input_type') ? r.ints('input_type') : undefined,
        startDim: r.int('start_dim'),
        endDim: r.int('end_dim'),
      });
    case 'SumPool2d':
    case 'AvgPool2d':
      return withMeta({ type: type as 'SumPool2d' | 'AvgPool2d', kernelSize: r.pair('kernel_size'), stride: r.pair('stride'), padding: r.pair('padding') });
    case 'Scale':
      return withMeta({ type: 'Scale', scale: r.array('scale') });
    case 'Threshold':
      return withMeta({ type: 'Threshold', threshold: r.array('threshold') });
    case 'IF':
    case 'LIF':
    case 'LI':
    case 'CubaLIF': {
      const t = type as NeuronNodeType;
      const keys: string[] = [...NEURON_PARAMS[t], ...(SPIKING_TYPES.includes(t) && r.has('v_reset') ? ['v_reset'] : [])];
      return withMeta({ type: t, params: Object.fromEntries(keys.map((k) => [k, r.array(k)])) });
    }
  }
}

/** A graph from the HDF5 tree of a NIR file; nested graphs (NIRGraph nodes) are flattened. */
export function treeToGraph(root: Tree, where: string): NirGraph {
  const versionLeaf = root.group.get('version');
  const version = versionLeaf && !isTree(versionLeaf) && versionLeaf.dtype === 'string' ? versionLeaf.data[0] : undefined;
  const node = root.group.get('node');
  if (!isTree(node)) throw new NirError(`${where}: no group "node" at the root; this HDF5 file is not a NIR graph`);
  if (typeOf(node) !== 'NIRGraph') throw new NirError(`${where}: /node/type is "${typeOf(node)}", expected "NIRGraph"`);
  const notes: string[] = [];
  const { nodes, edges } = readGraph(node, '', where, notes);
  const metaGroup = node.group.get('metadata');
  return { nodes, edges, version, ...(isTree(metaGroup) ? { metadata: readMetadata(metaGroup) } : {}), ...(notes.length > 0 ? { notes } : {}) };
}

const typeOf = (g: Tree): string | undefined => {
  const t = g.group.get('type');
  return t && !isTree(t) && t.dtype === 'string' ? t.data[0] : undefined;
};

/**
 * The nodes and edges of a NIRGraph group, names prefixed by `prefix`. A nested NIRGraph node `sub`
 * is inlined: its nodes become `sub.<name>`, and its Input and Output nodes are bypassed, so an edge
 * into `sub` (or `sub.<its input>`) reaches what that Input feeds, and an edge from `sub` leaves from
 * what feeds its Output. Edges may name a nested node by its dotted name, as NIR's do.
 */
function readGraph(g: Tree, prefix: string, where: string, notes: string[]): { nodes: Record<string, NirNode>; edges: Array<[string, string]> } {
  const at = prefix ? `subgraph "${prefix.slice(0, -1)}"` : where;
  const nodesGroup = g.group.get('nodes');
  const edgesLeaf = g.group.get('edges');
  if (!isTree(nodesGroup)) throw new NirError(`${at}: its "nodes" group is missing`);
  if (edgesLeaf === undefined || isTree(edgesLeaf) || edgesLeaf.dtype !== 'string') throw new NirError(`${at}: its "edges" dataset is missing or does not hold strings`);
  if (edgesLeaf.data.length % 2 !== 0) throw new NirError(`${at}: its edges have shape [${edgesLeaf.shape}], expected [E, 2]`);
  const nodes: Record<string, NirNode> = {};
  const edges: Array<[string, string]> = [];
  // Per inlined subgraph (by full name): its Input and Output nodes.
  const ports = new Map<string, { inputs: string[]; outputs: string[] }>();
  for (const [local, child] of nodesGroup.group) {
    const name = prefix + local;
    if (!isTree(child)) throw new NirError('is a dataset, expected a node group', name);
    if (typeOf(child) === 'NIRGraph') {
      const inner = readGraph(child, `${name}.`, where, notes);
      Object.assign(nodes, inner.nodes);
      edges.push(...inner.edges);
      const ofType = (t: string) => Object.keys(inner.nodes).filter((n) => n.startsWith(`${name}.`) && !n.slice(name.length + 1).includes('.') && inner.nodes[n].type === t);
      ports.set(name, { inputs: ofType('Input'), outputs: ofType('Output') });
    } else {
      // defineProperty: a node named "__proto__" stays an own entry instead of replacing the prototype.
      Object.defineProperty(nodes, name, { value: readNode(name, child), enumerable: true, writable: true, configurable: true });
    }
  }
  const alias = danglingAlias(edgesLeaf.data as string[], nodesGroup, (end) => Object.hasOwn(nodes, prefix + end) || ports.has(prefix + end));
  if (alias) notes.push(`${at}: its edges name "${alias.from}", which is not a node, and never name its node "${alias.to}"; read as "${alias.to}"`);
  const resolve = (end: string, side: 'inputs' | 'outputs', edge: string): string[] => {
    const full = prefix + (alias && end === alias.from ? alias.to : end);
    if (Object.hasOwn(nodes, full)) return [full];
    const p = ports.get(full);
    if (p && p[side].length > 0) return p[side];
    if (p) throw new NirError(`${at}: edge ${edge} enters or leaves subgraph "${full}", which has no ${side === 'inputs' ? 'Input' : 'Output'} node`);
    throw new NirError(`${at}: edge ${edge} names "${end}", which is not a node`);
  };
  for (let i = 0; i < edgesLeaf.data.length; i += 2) {
    const [a, b] = [edgesLeaf.data[i] as string, edgesLeaf.data[i + 1] as string];
    const edge = `[${a}, ${b}]`;
    for (const src of resolve(a, 'outputs', edge)) for (const dst of resolve(b, 'inputs', edge)) edges.push([src, dst]);
  }
  // Bypass the inlined subgraphs' Input and Output nodes (identities).
  for (const { inputs, outputs } of ports.values()) {
    for (const port of [...inputs, ...outputs]) {
      const into = edges.filter(([, d]) => d === port).map(([s]) => s);
      const from = edges.filter(([s]) => s === port).map(([, d]) => d);
      const kept = edges.filter(([s, d]) => s !== port && d !== port);
      edges.length = 0;
      edges.push(...kept);
      for (const s of into) for (const d of from) edges.push([s, d]);
      delete nodes[port];
    }
  }
  return { nodes, edges };
}

/**
 * Some writers name a node in a subgraph's edges by another name than its key (the NIR paper's
 * braille subgraph files: edges name "lif", the node is "lif1"). When the edges of one graph name
 * exactly one thing that is not a node, and exactly one of its nodes (other than Input and Output)
 * is named by no edge, the name is read as that node; any other mismatch stays an error.
 */
function danglingAlias(ends: string[], nodesGroup: Tree, exists: (end: string) => boolean): { from: string; to: string } | undefined {
  const local = [...nodesGroup.group.keys()];
  const dangling = new Set(ends.filter((e) => !exists(e)));
  if (dangling.size !== 1) return undefined;
  const named = new Set(ends);
  const unnamed = local.filter((n) => {
    const child = nodesGroup.group.get(n);
    const type = isTree(child) ? typeOf(child) : undefined;
    return !named.has(n) && type !== 'Input' && type !== 'Output';
  });
  if (unnamed.length !== 1) return undefined;
  return { from: [...dangling][0], to: unnamed[0] };
}
