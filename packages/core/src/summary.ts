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
  /** Short description of the layer's settings from its kind (and neuron plugin), e.g. "3x3 kernel, 32 filters" or "plif tau0=2". */
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

/** Layers, output shapes and parameter counts of a built network. */
export function summary(network: Network): NetworkSummary {
  const layers = network.layers.map((l) => {
    let trainable = 0;
    let nonTrainable = 0;
    for (const v of l.variables) {
      if (v.trainable) trainable += v.variable.size;
      else nonTrainable += v.variable.size;
    }
    return { name: l.name, kind: l.kind, outputShape: [...l.outputShape], trainable, nonTrainable, detail: network.registry.layers.get(l.kind)?.summary?.(l.spec, network.registry) ?? '' };
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
