import type { LayerSpec, ModelSpec } from '@spikeflow/spec';

/** One arm of an experiment: a name, what it changes, and the model change itself. */
export interface Variant {
  name: string;
  note: string;
  apply(model: ModelSpec): ModelSpec;
}

/** Two variants whose difference the summary tests: `a` against `b`. */
export interface Comparison {
  a: string;
  b: string;
}

/** What a comparison tests: final test accuracy, the mean of the learning curve (speed), or firing. */
export type MetricName = 'final test accuracy' | 'learning-curve mean' | 'mean firing rate';

/** Variants that sweep one setting (e.g. the initial tau): how much their results move with it. */
export interface SensitivityGroup {
  group: string;
  variants: string[];
}

export interface Experiment {
  name: string;
  question: string;
  /** What the paper claims (or, for a question it leaves open, that it leaves it open). */
  claim: string;
  variants: Variant[];
  /** The pairs the summary tests, in the order its verdicts are written. */
  comparisons: Comparison[];
  /** What each comparison is tested on. */
  metrics: MetricName[];
  sensitivity?: SensitivityGroup[];
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

const TAUS = [2, 4, 16];
const GAPS = [0.25, 0.5, 1];

export const EXPERIMENTS: Record<string, Experiment> = {
  'plif-vs-lif': {
    name: 'plif-vs-lif',
    question: 'Does a learned tau (PLIF) learn faster and depend less on the initial tau than a fixed tau (LIF)?',
    claim:
      'PLIF learns faster than LIF and is less sensitive to its initial tau. On Fashion-MNIST the paper reports best test accuracy 94.38% (PLIF tau0=2), 94.65% (PLIF tau0=16), 94.17% (LIF tau=2), 94.47% (LIF tau=16): small differences there; the robustness shows on harder sets (CIFAR-10: LIF tau=16 47.5% against PLIF tau0=16 93.23%).',
    variants: [...TAUS.map(plif), ...TAUS.map(lif)],
    comparisons: TAUS.map((t) => ({ a: `plif-tau0-${t}`, b: `lif-tau-${t}` })),
    metrics: ['final test accuracy', 'learning-curve mean'],
    sensitivity: [
      { group: 'PLIF', variants: TAUS.map((t) => `plif-tau0-${t}`) },
      { group: 'LIF', variants: TAUS.map((t) => `lif-tau-${t}`) },
    ],
  },
  'max-vs-avg': {
    name: 'max-vs-avg',
    question: 'Is max pooling on spikes as good as average pooling?',
    claim: 'Max pooling on spikes is no worse than average pooling (the paper uses max pooling; its Fashion-MNIST table gives 94.38% with max and 94.74% with average pooling).',
    variants: [pool('max'), pool('avg')],
    comparisons: [{ a: 'max-pool', b: 'avg-pool' }],
    metrics: ['final test accuracy', 'learning-curve mean'],
  },
  hyperpolarize: {
    name: 'hyperpolarize',
    question: 'Does a biological, hyperpolarising reset (vReset below vRest) help, against vReset = vRest?',
    claim: 'The paper does not say: it resets to vReset = vRest = 0. Biology resets below rest (hyperpolarisation); no framework has measured what that does to a trained SNN.',
    variants: [reset(0), ...GAPS.map(reset)],
    comparisons: GAPS.map((g) => ({ a: `reset-${g}-below-rest`, b: 'reset-to-rest' })),
    metrics: ['final test accuracy', 'learning-curve mean', 'mean firing rate'],
  },
};
