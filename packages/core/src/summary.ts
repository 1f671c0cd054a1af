import type { Network } from './network.js';

/** One layer in a network summary. */
export interface LayerSummary {
  name: string;
  kind: string;
  /** Per-sample output shape (time and batch axes left out). */
  outputShape: number[];
  /** Trainable parameters (weights, PLIF's w, BN's gamma and beta). */
  trainable: number;
  /** Parameters that are not trained by gradient (BN running statistics). */
  nonTrainable: number;
  /** Short description of the layer's settings, e.g. "3x3, 32 filters" or "plif tau0=2". */
  detail: string;
}

export interface NetworkSummary {
  name?: string;
  timeSteps: number;
  encoder: string;
  inputShape: number[];
  layers: LayerSummary[];
  trainable: number;
  nonTrainable: number;
}

const size = (s: unknown) => (Array.isArray(s) ? s.join('x') : `${String(s)}x${String(s)}`);

function detailOf(spec: Record<string, unknown>): string {
  switch (spec.kind) {
    case 'conv2d':
      return `${size(spec.kernelSize)} kernel, ${spec.filters} filters${spec.useBias ? ', bias' : ''}`;
    case 'dense':
      return `${spec.units} units${spec.useBias ? ', bias' : ''}`;
    case 'neuron': {
      const tau = spec.initTau ?? spec.tau;
      return `${spec.neuron}${tau !== undefined ? ` tau${spec.initTau !== undefined ? '0' : ''}=${tau}` : ''}`;
    }
    case 'pool':
      return `${spec.pool} ${size(spec.size)}`;
    case 'dropout':
      return `rate ${spec.rate}`;
    case 'voting':
      return `${spec.groups} groups`;
    default:
      return '';
  }
}

/** Layers, output shapes and parameter counts of a built network. */
export function summary(network: Network): NetworkSummary {
  const layers = network.layers.map((l) => {
    let trainable = 0;
    let nonTrainable = 0;
    for (const v of l.variables) {
      if (v.trainable) trainable += v.variable.size;
      else nonTrainable += v.variable.size;
    }
    return { name: l.name, kind: l.kind, outputShape: [...l.outputShape], trainable, nonTrainable, detail: detailOf(l.spec as Record<string, unknown>) };
  });
  return {
    name: network.spec.name,
    timeSteps: network.spec.timeSteps,
    encoder: network.spec.encoder.kind,
    inputShape: [...network.spec.input.shape],
    layers,
    trainable: layers.reduce((a, l) => a + l.trainable, 0),
    nonTrainable: layers.reduce((a, l) => a + l.nonTrainable, 0),
  };
}

/** The summary as a fixed-width text table (one line per layer, totals last). */
export function formatSummary(s: NetworkSummary): string {
  const head = ['layer', 'kind', 'output', 'params', 'detail'];
  const body = s.layers.map((l) => [l.name, l.kind, `[${l.outputShape.join(', ')}]`, (l.trainable + l.nonTrainable).toLocaleString('en-US'), l.detail]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [
    `${s.name ?? 'model'}: input [${s.inputShape.join(', ')}], T=${s.timeSteps}, encoder ${s.encoder}`,
    line(head),
    ...body.map(line),
    `trainable parameters: ${s.trainable.toLocaleString('en-US')}; non-trainable: ${s.nonTrainable.toLocaleString('en-US')}`,
  ].join('\n');
}
