import type { LayerSpec, ModelSpec } from '@spikeflow/spec';

/** One arm of an experiment: a name, what it changes, and the model change itself. */
export interface Variant {
  name: string;
  note: string;
  apply(model: ModelSpec): ModelSpec;
}

export interface Experiment {
  name: string;
  question: string;
  variants: Variant[];
}

type AnyLayer = LayerSpec & Record<string, unknown>;

/** The model with every layer of `kind` replaced by `change(layer)`. */
function mapLayers(model: ModelSpec, kind: string, change: (l: AnyLayer) => AnyLayer): ModelSpec {
  return { ...model, layers: model.layers.map((l) => (l.kind === kind ? (change(l as AnyLayer) as LayerSpec) : l)) };
}

function withoutKeys(l: AnyLayer, ...keys: string[]): AnyLayer {
  const copy = { ...l };
  for (const k of keys) delete copy[k];
  return copy;
}

const plif = (tau0: number): Variant => ({
  name: `plif-tau0-${tau0}`,
  note: `PLIF, tau learned from ${tau0}`,
  apply: (m) => mapLayers(m, 'neuron', (l) => ({ ...withoutKeys(l, 'tau'), neuron: 'plif', initTau: tau0 })),
});

const lif = (tau: number): Variant => ({
  name: `lif-tau-${tau}`,
  note: `LIF, tau fixed at ${tau}`,
  apply: (m) => mapLayers(m, 'neuron', (l) => ({ ...withoutKeys(l, 'initTau'), neuron: 'lif', tau })),
});

const pool = (kind: 'max' | 'avg'): Variant => ({
  name: `${kind}-pool`,
  note: `${kind === 'max' ? 'max' : 'average'} pooling on spikes`,
  apply: (m) => mapLayers(m, 'pool', (l) => ({ ...l, pool: kind })),
});

const reset = (gap: number): Variant => ({
  name: gap === 0 ? 'reset-to-rest' : `reset-${gap}-below-rest`,
  note: gap === 0 ? 'vReset = vRest = 0' : `vReset = -${gap}, vRest = 0 (hyperpolarising)`,
  apply: (m) => mapLayers(m, 'neuron', (l) => ({ ...l, vRest: 0, vReset: -gap })),
});

export const EXPERIMENTS: Record<string, Experiment> = {
  'plif-vs-lif': {
    name: 'plif-vs-lif',
    question: 'Does a learned tau (PLIF) learn faster and depend less on the initial tau than a fixed tau (LIF)?',
    variants: [plif(2), plif(16), lif(2), lif(16)],
  },
  'max-vs-avg': {
    name: 'max-vs-avg',
    question: 'Is max pooling on spikes as good as average pooling?',
    variants: [pool('max'), pool('avg')],
  },
  hyperpolarize: {
    name: 'hyperpolarize',
    question: 'Does a biological, hyperpolarising reset (vReset below vRest) help, against vReset = vRest?',
    variants: [reset(0), reset(0.5), reset(1), reset(2)],
  },
};
