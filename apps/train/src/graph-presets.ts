import type { LayerSpec, ModelSpec } from '@spikeflow/spec';

const plif = { kind: 'neuron', neuron: 'plif', initTau: 2, vThreshold: 1, vReset: 0, detachReset: true, surrogate: { kind: 'atan', alpha: 2 } } as const;
const convBn = (filters: number, name?: string): LayerSpec[] => [
  { kind: 'conv2d', filters, kernelSize: 3, padding: 'same', useBias: false, ...(name ? { name } : {}) },
  { kind: 'batchNorm' },
];

export type Connect = 'add' | 'and' | 'iand';

/**
 * A SEW-ResNet basic block (Fang et al., NeurIPS 2021): two conv-BN-PLIF stages on spikes, then the
 * connect function of the block's output and its input `identity` (SpikingJelly's
 * sew_function(identity, out): ADD identity + out, AND identity * out, IAND identity * (1 - out)).
 */
export function sewBlock(name: string, identity: string, channels: number, connect: Connect): LayerSpec[] {
  const inputs = connect === 'iand' ? [`${name}Out`, identity] : [identity, `${name}Out`];
  return [
    { kind: 'conv2d', filters: channels, kernelSize: 3, padding: 'same', useBias: false, inputs: [identity] },
    { kind: 'batchNorm' },
    { ...plif },
    ...convBn(channels),
    { ...plif, name: `${name}Out` },
    { kind: connect, name, inputs },
  ] as LayerSpec[];
}

/**
 * SEW-ResNet for event frames [T, N, size, size, 2]: a conv-BN-PLIF stem, then `blocks` times a SEW
 * basic block and a 2x2 max pool, a dense layer to the classes and PLIF; output = firing rate.
 * The stem's PLIF is the network's first neuron layer (`neuron0`).
 */
export function sewResNet(name: string, size: number, channels: number, blocks: number, classes: number, T: number, connect: Connect): ModelSpec {
  const layers: LayerSpec[] = [...convBn(channels), { ...plif }];
  let identity = 'neuron0';
  for (let i = 0; i < blocks; i++) {
    layers.push(...sewBlock(`sew${i}`, identity, channels, connect), { kind: 'pool', pool: 'max', size: 2, name: `down${i}` });
    identity = `down${i}`;
  }
  layers.push({ kind: 'flatten' }, { kind: 'dense', units: classes, useBias: false }, { ...plif });
  return { name, input: { shape: [size, size, 2] }, timeSteps: T, encoder: { kind: 'sequence' }, layers };
}

/**
 * Sequential Fashion-MNIST: one image row per step (T = 28), a dense layer to `hidden` recurrent PLIF
 * neurons fed back their own spikes (SpikingJelly's LinearRecurrentContainer), then dense to 10
 * classes and PLIF.
 */
export function recurrentRowNet(name: string, hidden: number): ModelSpec {
  return {
    name,
    input: { shape: [28, 28, 1] },
    timeSteps: 28,
    encoder: { kind: 'direct' },
    layers: [
      { kind: 'rowSequence' },
      { kind: 'dense', units: hidden, useBias: false },
      { ...plif, kind: 'recurrent', name: 'recurrent', connection: 'dense', useBias: true },
      { kind: 'dense', units: 10, useBias: false },
      { ...plif },
    ],
  };
}

/**
 * A Spikformer-style network on images: a conv-BN-PLIF stem over 2x2 patches, then a spiking
 * self-attention block (Q, K, V each 1x1 conv, BN and PLIF; attention without softmax; 1x1 conv and BN
 * out, added to its input) and an MLP block (two 1x1 conv-BN, PLIF between, added to its input),
 * then average over the tokens by pooling, dense to 10 classes and PLIF.
 */
export function spikingAttentionNet(name: string, channels: number, heads: number): ModelSpec {
  // A 1x1 conv (a dense layer per token) and batch norm, named `name` when given.
  const pointwise = (filters: number, inputs?: string[], name?: string): LayerSpec[] => [
    { kind: 'conv2d', filters, kernelSize: 1, useBias: false, ...(inputs ? { inputs } : {}) },
    { kind: 'batchNorm', ...(name ? { name } : {}) },
  ];
  // The stem's PLIF (the first neuron layer, `neuron0`) gives the tokens.
  return {
    name,
    input: { shape: [28, 28, 1] },
    timeSteps: 4,
    encoder: { kind: 'direct' },
    layers: [
      { kind: 'conv2d', filters: channels, kernelSize: 2, stride: 2, padding: 'valid', useBias: false },
      { kind: 'batchNorm' },
      { ...plif },
      ...pointwise(channels, ['neuron0']),
      { ...plif, name: 'q' },
      ...pointwise(channels, ['neuron0']),
      { ...plif, name: 'k' },
      ...pointwise(channels, ['neuron0']),
      { ...plif, name: 'v' },
      { kind: 'attention', inputs: ['q', 'k', 'v'], heads, scale: 0.125 },
      { ...plif },
      ...pointwise(channels, undefined, 'attentionOut'),
      { kind: 'add', name: 'attended', inputs: ['neuron0', 'attentionOut'] },
      ...pointwise(channels * 2),
      { ...plif },
      ...pointwise(channels, undefined, 'mlpOut'),
      { kind: 'add', inputs: ['attended', 'mlpOut'] },
      { kind: 'pool', pool: 'avg', size: 14 },
      { kind: 'flatten' },
      { kind: 'dense', units: 10, useBias: false },
      { ...plif },
    ],
  } as ModelSpec;
}
