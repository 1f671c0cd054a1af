// The graph-model reference check (SpikingJelly float64): test/fixtures/graph_vectors.json has a SEW
// BasicBlock with ADD / IAND between a conv stem and a linear head, and a LinearRecurrentContainer
// around PLIF; test/fixtures/graph_vectors_more.json (written by test/python/graph_vectors_more.py)
// a SEW BasicBlock with AND and two spiking self-attention blocks. One forward + backward per case on
// the current backend. Layouts there are PyTorch's
// (NCHW, conv [Cout, Cin, kh, kw], linear [out, in], flatten order (c, h, w)); transposed to NHWC here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { build, type ModelSpec, type Network } from '@spikeflow/core';
import { rateLossGrads } from './rate-loss-grads.js';
import { repoRoot } from './workspaces.js';

export interface GraphCase {
  kind: 'sew' | 'recurrent' | 'attention';
  connect?: 'ADD' | 'AND' | 'IAND';
  seed: number;
  T: number;
  N: number;
  K: number;
  [key: string]: any;
}
const readVectors = <T extends { cases: GraphCase[] }>(file: string): T => JSON.parse(readFileSync(join(repoRoot, 'test/fixtures', file), 'utf8')) as T;
export const graphVectors = readVectors<{ cases: GraphCase[] }>('graph_vectors.json');
/** SEW AND and spiking attention; its `generator` names the script and command that wrote it. */
export const graphVectorsMore = readVectors<{ generator: { script: string; command: string }; cases: GraphCase[] }>('graph_vectors_more.json');
export const caseName = (c: GraphCase) => (c.kind === 'sew' ? `sew ${c.connect}` : c.kind === 'attention' ? `attention ${c.block}` : c.kind);

const plif = { kind: 'neuron', neuron: 'plif', initTau: 2, vThreshold: 1, vReset: 0, detachReset: true, surrogate: { kind: 'atan', alpha: 2 } } as const;

/** The SEW connect function on spikes: SpikingJelly's sew_function(identity = stem, out = block). */
const connect = {
  ADD: { kind: 'add', inputs: ['stem', 'block'] },
  AND: { kind: 'and', inputs: ['stem', 'block'] },
  // (NOT block) AND stem: iand negates its first input.
  IAND: { kind: 'iand', inputs: ['block', 'stem'] },
} as const;

/** Conv (no bias) and batch norm, as `<name>Conv` and `<name>Bn`. */
const convBn = (name: string, filters: number, kernelSize: number, bnEps: number, inputs?: string[]) =>
  [
    { kind: 'conv2d', name: `${name}Conv`, filters, kernelSize, padding: 'same', useBias: false, ...(inputs ? { inputs } : {}) },
    { kind: 'batchNorm', name: `${name}Bn`, epsilon: bnEps },
  ] as const;

/** Conv (no bias), batch norm and PLIF, as `<name>Conv`, `<name>Bn` and `<name>`. */
const convBnPlif = (name: string, filters: number, kernelSize: number, bnEps: number, inputs?: string[]) =>
  [...convBn(name, filters, kernelSize, bnEps, inputs), { ...plif, name }] as const;

/** Max pooling 2x2 (or an average over every token), then dense to K classes and PLIF. */
const poolDenseHead = (K: number, pool: { pool: 'max'; size: 2 } | { pool: 'avg'; size: number } = { pool: 'max', size: 2 }) =>
  [
    { kind: 'pool', ...pool },
    { kind: 'flatten' },
    { kind: 'dense', name: 'head', units: K, useBias: false },
    { ...plif, name: 'headPlif' },
  ] as const;

export function graphCaseSpec(c: GraphCase): ModelSpec {
  if (c.kind === 'attention') {
    // Q, K, V from the stem's spikes; scale * Q (K^T V) per head into a PLIF (threshold
    // attnThreshold). Block "spikformer" (Spikformer's SSA): a 1x1 conv-BN-PLIF projection added to
    // the stem's spikes, max-pool head. Block "preset" (spikeflow's attention preset): the projection
    // without a neuron added to the stem's spikes, an MLP block added to that, average-pool head.
    const qkv = (name: string) => convBnPlif(name, c.C, 1, c.params[name].bnEps, ['stem']);
    const eps = (name: string) => c.params[name].bnEps as number;
    const block =
      c.block === 'spikformer'
        ? [...convBnPlif('proj', c.C, 1, eps('proj')), { kind: 'add', name: 'residual', inputs: ['stem', 'proj'] }, ...poolDenseHead(c.K)]
        : [
            ...convBn('proj', c.C, 1, eps('proj')),
            { kind: 'add', name: 'residual', inputs: ['stem', 'projBn'] },
            ...convBnPlif('mlp1', 2 * c.C, 1, eps('mlp1')),
            ...convBn('mlp2', c.C, 1, eps('mlp2')),
            { kind: 'add', inputs: ['residual', 'mlp2Bn'] },
            ...poolDenseHead(c.K, { pool: 'avg', size: c.H }),
          ];
    return {
      input: { shape: [c.H, c.W, c.Cin] },
      timeSteps: c.T,
      layers: [
        ...convBnPlif('stem', c.C, 3, eps('stem')),
        ...qkv('q'),
        ...qkv('k'),
        ...qkv('v'),
        { kind: 'attention', name: 'attention', inputs: ['q', 'k', 'v'], heads: c.heads, scale: c.scale },
        { ...plif, name: 'attn', vThreshold: c.attnThreshold },
        ...block,
      ],
    } as ModelSpec;
  }
  if (c.kind === 'sew') {
    return {
      input: { shape: [c.H, c.W, c.Cin] },
      timeSteps: c.T,
      layers: [
        ...convBnPlif('stem', c.C, 3, c.params.stem.bnEps),
        ...convBnPlif('inner', c.C, 3, c.params.conv1.bnEps),
        ...convBnPlif('block', c.C, 3, c.params.conv2.bnEps),
        { ...connect[c.connect!], name: 'connect' },
        ...poolDenseHead(c.K),
      ],
    };
  }
  return {
    input: { shape: [c.Fin] },
    encoder: { kind: 'sequence' },
    timeSteps: c.T,
    layers: [
      { kind: 'dense', name: 'in', units: c.F, useBias: false },
      { ...plif, kind: 'recurrent', name: 'rec', connection: 'dense', useBias: true },
      { kind: 'dense', name: 'out', units: c.K, useBias: false },
      { ...plif, name: 'outPlif' },
    ],
  };
}

/** [(from spikeflow variable), (to PyTorch layout), (PyTorch param path)] per checked parameter. */
type Mapping = Array<[string, (t: tf.Tensor) => tf.Tensor, (t: tf.Tensor) => tf.Tensor, (o: any) => any]>;

const convIn = (w: tf.Tensor) => w.transpose([2, 3, 1, 0]);
const convOut = (w: tf.Tensor) => w.transpose([3, 2, 0, 1]);
const linIn = (w: tf.Tensor) => w.transpose();
const same = (w: tf.Tensor) => w;

function mapping(c: GraphCase): Mapping {
  if (c.kind === 'recurrent') {
    return [
      ['in/kernel', linIn, linIn, (p) => p.inWeight],
      ['rec/kernel', linIn, linIn, (p) => p.recWeight],
      ['rec/bias', same, same, (p) => p.recBias],
      ['rec/w', same, same, (p) => p.recPlifW],
      ['out/kernel', linIn, linIn, (p) => p.outWeight],
      ['outPlif/w', same, same, (p) => p.outPlifW],
    ];
  }
  const { K, C } = c;
  // The head's input: [H/2, W/2, C] after max pooling, [1, 1, C] after the average over every token.
  const H2 = c.block === 'preset' ? 1 : c.H / 2;
  const W2 = c.block === 'preset' ? 1 : c.W / 2;
  // PyTorch linear [K, (c, h, w)] <-> spikeflow [(h, w, c), K]
  const denseIn = (w: tf.Tensor) => w.reshape([K, C, H2, W2]).transpose([2, 3, 1, 0]).reshape([H2 * W2 * C, K]);
  const denseOut = (w: tf.Tensor) => w.reshape([H2, W2, C, K]).transpose([3, 2, 0, 1]).reshape([K, C * H2 * W2]);
  const convBnStage = (name: string, key: string): Mapping => [
    [`${name}Conv/kernel`, convIn, convOut, (p) => p[key].convWeight],
    [`${name}Bn/gamma`, same, same, (p) => p[key].bnGamma],
    [`${name}Bn/beta`, same, same, (p) => p[key].bnBeta],
  ];
  const stage = (name: string, key: string): Mapping => [...convBnStage(name, key), [`${name}/w`, same, same, (p) => p[key].plifW]];
  const head: Mapping = [
    ['head/kernel', denseIn, denseOut, (p) => p.linearWeight],
    ['headPlif/w', same, same, (p) => p.headPlifW],
  ];
  if (c.kind === 'attention') {
    const qkv: Mapping = [...['stem', 'q', 'k', 'v'].flatMap((name) => stage(name, name)), ['attn/w', same, same, (p) => p.attnPlifW]];
    if (c.block === 'spikformer') return [...qkv, ...stage('proj', 'proj'), ...head];
    return [...qkv, ...convBnStage('proj', 'proj'), ...stage('mlp1', 'mlp1'), ...convBnStage('mlp2', 'mlp2'), ...head];
  }
  return [...stage('stem', 'stem'), ...stage('inner', 'conv1'), ...stage('block', 'conv2'), ...head];
}

/** How many errors graphCaseErrors reports for `c`: output, loss and one per checked gradient. */
export const graphCaseCheckCount = (c: GraphCase) => mapping(c).length + 2;

const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flat(Infinity as 1) : [v]) as number[];

/**
 * Runs one case on the current backend; returns, by name, the absolute error of the output and
 * the loss and, for each gradient, its largest error relative to the largest reference value of
 * that gradient. `inspect` sees the built network.
 */
export async function graphCaseErrors(c: GraphCase, inspect?: (net: Network) => void): Promise<Record<string, number>> {
  const net = build(graphCaseSpec(c));
  inspect?.(net);
  const byName = Object.fromEntries(net.namedVariables().map((v) => [v.name, v.variable]));
  const map = mapping(c);
  for (const [name, toTf, , pick] of map) {
    const value = pick(c.params);
    tf.tidy(() => byName[name].assign(toTf(Array.isArray(value) ? tf.tensor(value) : tf.scalar(value))));
  }
  const input = c.kind !== 'recurrent' ? tf.tensor4d(c.input).transpose([0, 2, 3, 1]) : tf.tensor3d(c.input);
  const labels = tf.tensor1d(c.label, 'int32');
  const { rate, loss, grads } = rateLossGrads(net, input, labels);
  const errors: Record<string, number> = {};
  const absErr = (a: ArrayLike<number>, e: number[]) => e.reduce((m, v, i) => Math.max(m, Math.abs(a[i] - v)), 0);
  errors.output = absErr(await rate.data(), flat(c.output));
  errors.loss = absErr(await loss.data(), [c.loss]);
  for (const [name, , toTorch, pick] of map) {
    const expected = flat(pick(c.grads));
    const g = grads[byName[name].name];
    const actual = await tf.tidy(() => toTorch(g)).data();
    const scale = Math.max(...expected.map(Math.abs));
    errors[`${name} gradient`] = absErr(actual, expected) / scale;
  }
  tf.dispose([input, labels, loss, rate, ...Object.values(grads)]);
  net.dispose();
  return errors;
}

/** Output and loss within 1e-6; every gradient within 1e-4 of the largest of its kind. */
export const graphTolerance = (what: string) => (what === 'output' || what === 'loss' ? 1e-6 : 1e-4);
