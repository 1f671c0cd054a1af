import { NirError } from './errors.js';
import { isTree, type Leaf, type Tree } from './hdf5.js';
import { NIR_VERSION, NODE_TYPES, type Metadata, type NdArray, type NirGraph, type NirNode } from './ir.js';

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
    case 'IF':
      return tree([['type', str('IF')], ['r', floats(node.r)], ['v_threshold', floats(node.vThreshold)], ['v_reset', node.vReset && floats(node.vReset)], meta]);
    case 'LIF':
      return tree([
        ['type', str('LIF')],
        ['tau', floats(node.tau)],
        ['r', floats(node.r)],
        ['v_leak', floats(node.vLeak)],
        ['v_threshold', floats(node.vThreshold)],
        ['v_reset', node.vReset && floats(node.vReset)],
        meta,
      ]);
    case 'LI':
      return tree([['type', str('LI')], ['tau', floats(node.tau)], ['r', floats(node.r)], ['v_leak', floats(node.vLeak)], meta]);
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
    case 'IF':
      return withMeta({ type: 'IF', r: r.array('r'), vThreshold: r.array('v_threshold'), vReset: r.has('v_reset') ? r.array('v_reset') : undefined });
    case 'LIF':
      return withMeta({
        type: 'LIF',
        tau: r.array('tau'),
        r: r.array('r'),
        vLeak: r.array('v_leak'),
        vThreshold: r.array('v_threshold'),
        vReset: r.has('v_reset') ? r.array('v_reset') : undefined,
      });
    case 'LI':
      return withMeta({ type: 'LI', tau: r.array('tau'), r: r.array('r'), vLeak: r.array('v_leak') });
  }
}

/** A graph from the HDF5 tree of a NIR file. */
export function treeToGraph(root: Tree, where: string): NirGraph {
  const versionLeaf = root.group.get('version');
  const version = versionLeaf && !isTree(versionLeaf) && versionLeaf.dtype === 'string' ? versionLeaf.data[0] : undefined;
  const node = root.group.get('node');
  if (!isTree(node)) throw new NirError(`${where}: no group "node" at the root; this HDF5 file is not a NIR graph`);
  const typeLeaf = node.group.get('type');
  const type = typeLeaf && !isTree(typeLeaf) && typeLeaf.dtype === 'string' ? typeLeaf.data[0] : undefined;
  if (type !== 'NIRGraph') throw new NirError(`${where}: /node/type is "${type}", expected "NIRGraph"`);
  const nodesGroup = node.group.get('nodes');
  const edgesLeaf = node.group.get('edges');
  if (!isTree(nodesGroup)) throw new NirError(`${where}: /node/nodes is missing or not a group`);
  if (edgesLeaf === undefined || isTree(edgesLeaf) || edgesLeaf.dtype !== 'string') throw new NirError(`${where}: /node/edges is missing or does not hold strings`);
  if (edgesLeaf.data.length % 2 !== 0) throw new NirError(`${where}: /node/edges has shape [${edgesLeaf.shape}], expected [E, 2]`);
  const nodes: Record<string, NirNode> = {};
  for (const [name, g] of nodesGroup.group) {
    if (!isTree(g)) throw new NirError('is a dataset, expected a node group', name);
    const nested = g.group.get('type');
    if (nested && !isTree(nested) && nested.data[0] === 'NIRGraph') throw new NirError('is a nested NIRGraph (subgraph); spikeflow reads flat graphs only', name);
    // defineProperty: a node named "__proto__" stays an own entry instead of replacing the prototype.
    Object.defineProperty(nodes, name, { value: readNode(name, g), enumerable: true, writable: true, configurable: true });
  }
  const edges: Array<[string, string]> = [];
  for (let i = 0; i < edgesLeaf.data.length; i += 2) {
    const [a, b] = [edgesLeaf.data[i] as string, edgesLeaf.data[i + 1] as string];
    for (const end of [a, b]) if (!Object.hasOwn(nodes, end)) throw new NirError(`${where}: edge [${a}, ${b}] names "${end}", which is not a node`);
    edges.push([a, b]);
  }
  const metaGroup = node.group.get('metadata');
  return { nodes, edges, version, ...(isTree(metaGroup) ? { metadata: readMetadata(metaGroup) } : {}) };
}
