import type { NormalizedLayer } from '@spikeflow/spec';

/*
 * How a layer kind writes itself to NIR (the Neuromorphic Intermediate Representation). The NIR
 * package does the graph and the file; a layer kind says which nodes and edges its layer is. NIR's
 * layout (channels first, weights [out, in]) is handled by the helpers in the context, so a kind
 * (or a layer plugin outside spikeflow) needs no NIR code of its own.
 */

/** A dense array in NIR's layout, row-major. */
export interface NirArray {
  shape: number[];
  data: Float32Array | Float64Array;
}

/** A NIR node as data: its type and its fields (camelCase names, arrays as NirArray), as @spikeflow/nir's NirNode. */
export type NirNodeData = { type: string; metadata?: Record<string, string | number> } & Record<string, unknown>;

/** A layer's output in the NIR graph being written. */
export interface NirSignal {
  /** The node that gives it. */
  node: string;
  /** spikeflow's shape: [H, W, C] or [F]. */
  shape: number[];
  /** The [H, W, C] shape a flatten turned into this vector, until a dense layer reorders its features. */
  flatFrom: number[] | null;
  /** Binary spikes. */
  spikes: boolean;
}

/** A weight in spikeflow's layout: conv kernels [kh, kw, cin, cout], dense kernels [in, out]. */
export interface NirWeight {
  shape: number[];
  data: Float32Array;
}

export interface LayerNirExportContext {
  layer: NormalizedLayer;
  /** The layer's name: its node's name, and the prefix of its weights. */
  name: string;
  /** The signals of the layers it reads, in order. */
  inputs: NirSignal[];
  outputShape: number[];
  /** NIR's time step (in NIR's unit) of one spikeflow step. */
  dt: number;
  /** The export's options (e.g. `maxPool`). */
  options: Readonly<Record<string, unknown>>;
  /** The layer's weight `<name>/<param>` (BN already folded in); throws naming it when missing. */
  weight(param: string): NirWeight;
  /** The weight, or undefined when the layer has none of that name (a bias it does not use). */
  optionalWeight(param: string): NirWeight | undefined;
  /** Adds a node. */
  node(name: string, node: NirNodeData): void;
  /** Adds an edge. */
  edge(from: string, to: string): void;
  /** Edges from each input into `node`, the layer's entry (it keeps the layer's written `inputs` in its metadata). */
  connect(node: string): void;
  /** The NIR node of a neuron layer (its plugin's NIR codec, the layer's scalar weights as its parameters) over a spikeflow shape, and whether it spikes. */
  neuron(layer: NormalizedLayer, shape: number[]): { node: NirNodeData; spikes: boolean };
  layout: NirLayout;
}

/** NIR's layout from spikeflow's. */
export interface NirLayout {
  /** [H, W, C] -> [C, H, W]; vectors unchanged. */
  shape(shape: readonly number[]): number[];
  /** Conv kernel [kh, kw, cin, cout] -> weight [cout, cin, kh, kw]. */
  conv(kernel: NirWeight): NirArray;
  /** Dense kernel [in, out] -> weight [out, in], the inputs reordered from (h, w, c) to NIR's (c, h, w) when `flatFrom` is the flattened [H, W, C]. */
  dense(kernel: NirWeight, flatFrom: readonly number[] | null): NirArray;
  /** A per-neuron array of spikeflow's shape [H, W, C] (or [F]) in NIR's order. */
  perNeuron(data: ArrayLike<number>, shape: readonly number[]): NirArray;
  filled(shape: readonly number[], value: number): NirArray;
  /** The zeros NIR adds on both sides of each axis for a window on this input; throws saying why when TensorFlow's 'same' pads unevenly. */
  padding(input: readonly number[], window: [number, number], stride: [number, number], padding: unknown): [number, number];
}

/** A layer kind's NIR form. */
export interface LayerNirCodec {
  /**
   * Writes the layer's nodes and edges through the context; returns what differs from the default
   * output signal ({ node: the layer's name, its output shape, the first input's flatFrom, no spikes }).
   * Throws an Error saying why when the layer has no NIR form.
   */
  export(ctx: LayerNirExportContext): Partial<NirSignal> | void;
}
