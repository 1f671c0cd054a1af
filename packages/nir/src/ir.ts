/**
 * The Neuromorphic Intermediate Representation (NIR) as plain data: the node types spikeflow reads
 * and writes, with NIR's parameters under camelCase names. Shapes are NIR's: no batch axis,
 * channels first ([C, H, W]); conv weights [Cout, Cin, kh, kw]; dense weights [out, in].
 */

/** The NIR format version spikeflow writes (the `version` dataset): v_reset is explicit since 1.0.6. */
export const NIR_VERSION = '1.0.7';

/** A dense array, row-major. */
export interface NdArray {
  shape: number[];
  data: Float32Array | Float64Array;
}

/** Free-form metadata stored beside a node's parameters (NIR's `metadata` group). */
export type Metadata = Record<string, string | number>;

interface NodeBase {
  metadata?: Metadata;
}
export interface InputNode extends NodeBase {
  type: 'Input';
  shape: number[];
}
export interface OutputNode extends NodeBase {
  type: 'Output';
  shape: number[];
}
/** y = W x + b */
export interface AffineNode extends NodeBase {
  type: 'Affine';
  weight: NdArray;
  bias: NdArray;
}
/** y = W x */
export interface LinearNode extends NodeBase {
  type: 'Linear';
  weight: NdArray;
}
export interface Conv2dNode extends NodeBase {
  type: 'Conv2d';
  /** Spatial input size [H, W]; NIR allows it to be absent (then inferred from the graph). */
  inputShape?: [number, number];
  weight: NdArray;
  stride: [number, number];
  /** Zeros added on both sides of each spatial axis, or 'same' / 'valid'. */
  padding: [number, number] | 'same' | 'valid';
  dilation: [number, number];
  groups: number;
  bias: NdArray;
}
export interface FlattenNode extends NodeBase {
  type: 'Flatten';
  /** The input shape, when the file states it. */
  inputType?: number[];
  startDim: number;
  endDim: number;
}
/** y = scale * x, element-wise. Written for merges (identity, scale 1: NIR sums the edges into a node) and element-wise feedback. */
export interface ScaleNode extends NodeBase {
  type: 'Scale';
  scale: NdArray;
}
/** y = 1 where x > threshold, else 0 (Heaviside). spikeflow writes SEW's AND and IAND of spikes with it. */
export interface ThresholdNode extends NodeBase {
  type: 'Threshold';
  threshold: NdArray;
}
export interface PoolNode extends NodeBase {
  type: 'SumPool2d' | 'AvgPool2d';
  kernelSize: [number, number];
  stride: [number, number];
  padding: [number, number];
}
/**
 * NIR's neuron node types and their parameters, under NIR's names (one array per parameter, of the
 * node's shape). Continuous-time:
 *   IF:       dv/dt = r I
 *   LIF:      tau dv/dt = (v_leak - v) + r I
 *   LI:       as LIF, no spikes: the output is v
 *   CubaLIF:  tau_syn dI/dt = -I + w_in x,  tau_mem dv/dt = (v_leak - v) + r I
 * A spiking node fires when v crosses v_threshold, then v = v_reset.
 */
export const NEURON_PARAMS = {
  IF: ['r', 'v_threshold'],
  LIF: ['tau', 'r', 'v_leak', 'v_threshold'],
  LI: ['tau', 'r', 'v_leak'],
  CubaLIF: ['tau_syn', 'tau_mem', 'r', 'v_leak', 'v_threshold', 'w_in'],
} as const;
export type NeuronNodeType = keyof typeof NEURON_PARAMS;
/** Spiking node types; their `v_reset` is absent in files older than NIR 1.0.6 (which reset by subtracting the threshold). */
export const SPIKING_TYPES: readonly NeuronNodeType[] = ['IF', 'LIF', 'CubaLIF'];

export interface NeuronNode extends NodeBase {
  type: NeuronNodeType;
  /** By NIR's name (`tau`, `r`, `v_leak`, `v_threshold`, `v_reset`, `tau_syn`, `tau_mem`, `w_in`). */
  params: Record<string, NdArray>;
}

export type NirNode = InputNode | OutputNode | AffineNode | LinearNode | Conv2dNode | FlattenNode | PoolNode | ScaleNode | ThresholdNode | NeuronNode;
export type NirNodeType = NirNode['type'];
export const NODE_TYPES: readonly NirNodeType[] = ['Input', 'Output', 'Affine', 'Linear', 'Conv2d', 'Flatten', 'SumPool2d', 'AvgPool2d', 'Scale', 'Threshold', ...(Object.keys(NEURON_PARAMS) as NeuronNodeType[])];
export const isNeuronNode = (n: NirNode): n is NeuronNode => n.type in NEURON_PARAMS;

export interface NirGraph {
  nodes: Record<string, NirNode>;
  /**
   * Directed edges [from, to] by node name. The inputs of a node with several incoming edges are
   * summed; an edge that closes a cycle carries a one-step delay (see README, "recurrent edges").
   */
  edges: Array<[string, string]>;
  metadata?: Metadata;
  /** The file's `version` dataset (read) or the version to write (default NIR_VERSION). */
  version?: string;
  /** What the reader read otherwise than the file says, one line each (e.g. a repaired edge name). */
  notes?: string[];
}

export const ndarray = (shape: number[], data: ArrayLike<number>, dtype: 'float32' | 'float64' = 'float32'): NdArray => ({
  shape,
  data: dtype === 'float32' ? Float32Array.from(data) : Float64Array.from(data),
});
export const filled = (shape: number[], value: number): NdArray => ndarray(shape, new Array(shape.reduce((a, b) => a * b, 1)).fill(value));
export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
