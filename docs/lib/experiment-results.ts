// The Results page's view of an experiment's results.json: seed bands for the plot, the summary
// rows, and sentences that compare the data with the paper's claim. Pure functions, so the numbers
// on the page come from the committed files and nothing else.
import type { ComparisonResult, ExperimentResults, VariantSummary } from '@spikeflow/train';

export interface Band {
  variant: string;
  points: { images: number; mean: number; min: number; max: number }[];
}

export interface ExperimentView {
  name: string;
  question: string;
  claim: string;
  command: string;
  machine: string;
  setup: string;
  complete: boolean;
  runsDone: number;
  runsPlanned: number;
  bands: Band[];
  rows: VariantSummary[];
  test: string;
  verdicts: string[];
  /** Whether the data agree with the paper (or, for hyperpolarisation, the answer), in sentences. */
  conclusions: string[];
}

/** Per test point of each variant: mean, lowest and highest test accuracy (%) over the seeds. */
export function bandsOf(r: ExperimentResults): Band[] {
  return r.variants
    .map((v) => {
      const at = new Map<number, number[]>();
      for (const run of r.runs.filter((x) => x.variant === v.name)) for (const p of run.curve) at.set(p.images, [...(at.get(p.images) ?? []), 100 * p.testAccuracy]);
      const points = [...at.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([images, accs]) => ({ images, mean: accs.reduce((a, x) => a + x, 0) / accs.length, min: Math.min(...accs), max: Math.max(...accs) }));
      return { variant: v.name, points };
    })
    .filter((b) => b.points.length > 0);
}

const pText = (p: number) => (p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(2)}`);
const significant = (c: ComparisonResult) => c.test !== undefined && c.test.p < 0.05;

function find(r: ExperimentResults, a: string, b: string, metric: ComparisonResult['metric']): ComparisonResult | undefined {
  return r.summary.comparisons.find((c) => c.a === a && c.b === b && c.metric === metric);
}

/** "+0.31 ± 0.52 points (p = 0.61)": a difference with its standard error and Welch's p. */
export function differenceText(c: ComparisonResult | undefined, unit = ' points', digits = 2): string {
  if (!c?.test) return 'not tested (fewer than 2 seeds)';
  const t = c.test;
  return `${t.difference >= 0 ? '+' : ''}${t.difference.toFixed(digits)} ± ${t.standardError.toFixed(digits)}${unit} (${pText(t.p)})`;
}

function plifVsLif(r: ExperimentResults): string[] {
  const pairs = r.summary.comparisons.filter((c) => c.metric === 'learning-curve mean');
  const faster = pairs.filter((c) => c.test && c.test.difference > 0);
  const sig = pairs.filter((c) => significant(c) && c.test!.difference > 0);
  const slower = pairs.filter((c) => significant(c) && c.test!.difference < 0);
  const speed =
    `Learning speed (mean test accuracy over the curve, PLIF minus LIF at the same tau): ${pairs.map((c) => `${c.a.replace('plif-tau0-', 'tau ')} ${differenceText(c)}`).join('; ')}. ` +
    `PLIF is ahead at ${faster.length} of ${pairs.length} taus, significantly at ${sig.length}${slower.length ? `, and significantly behind at ${slower.length}` : ''}.`;
  const sensitivity = r.summary.sensitivity?.[0] ? `Sensitivity to tau: ${r.summary.sensitivity[0].verdict}` : '';
  const verdict =
    sig.length === pairs.length && pairs.length > 0
      ? 'At this budget the data support the claim that PLIF learns faster.'
      : slower.length > 0
        ? 'At this budget the data contradict the claim at the taus where PLIF is significantly behind.'
        : 'At this budget the data neither confirm nor contradict the claim: the differences are within the seed-to-seed noise.';
  return [speed, sensitivity, verdict].filter(Boolean);
}

function maxVsAvg(r: ExperimentResults): string[] {
  const final = find(r, 'max-pool', 'avg-pool', 'final test accuracy');
  const curve = find(r, 'max-pool', 'avg-pool', 'learning-curve mean');
  const tested = [final, curve].filter((c): c is ComparisonResult => c?.test !== undefined);
  const worse = tested.some((c) => significant(c) && c.test!.difference < 0);
  const better = tested.some((c) => significant(c) && c.test!.difference > 0);
  const verdict =
    tested.length === 0
      ? 'Not tested yet: the claim needs at least 2 seeds per variant.'
      : worse
        ? 'Max pooling is significantly worse here: the data contradict the claim at this budget.'
        : better
          ? 'Max pooling is significantly better here: the data agree with the claim that it is no worse (at this budget it is ahead; the paper found average pooling 0.36 points ahead after full training).'
          : 'Max pooling is not significantly worse: the data agree with the claim that it is no worse (absence of a detected difference, at this budget and this number of seeds).';
  return [`Max minus average pooling: final test accuracy ${differenceText(final)}; learning-curve mean ${differenceText(curve)}.`, verdict];
}

function hyperpolarize(r: ExperimentResults): string[] {
  const base = r.summary.variants.find((v) => v.variant === 'reset-to-rest');
  const meanOf = (m: Record<string, number>) => {
    const xs = Object.values(m);
    return xs.reduce((a, x) => a + x, 0) / Math.max(1, xs.length);
  };
  const lines = r.summary.variants
    .filter((v) => v.variant !== 'reset-to-rest')
    .map((v) => {
      const acc = find(r, v.variant, 'reset-to-rest', 'final test accuracy');
      const rate = find(r, v.variant, 'reset-to-rest', 'mean firing rate');
      const layers = (m: Record<string, number>) => Object.values(m).map((x) => x.toFixed(3)).join(' / ');
      const tau = base ? ` Firing rate per layer ${layers(v.firingRate)} against ${layers(base.firingRate)}; mean learned tau ${meanOf(v.tau).toFixed(3)} against ${meanOf(base.tau).toFixed(3)} at reset to rest.` : '';
      return `${v.note}: final test accuracy ${differenceText(acc)} against vReset = vRest; mean firing rate ${differenceText(rate, '', 4)}.${tau}`;
    });
  const anySig = r.summary.comparisons.filter((c) => c.metric === 'final test accuracy' && significant(c));
  const answer = anySig.length === 0
    ? 'Answer at this budget: no effect of a hyperpolarising reset on accuracy detected; the uncertainty is the ± above (one standard error of the difference over the weight seeds).'
    : `Answer at this budget: ${anySig.map((c) => `${c.a} ${c.test!.difference > 0 ? 'raises' : 'lowers'} accuracy by ${Math.abs(c.test!.difference).toFixed(2)} ± ${c.test!.standardError.toFixed(2)} points`).join('; ')} (Welch's t, p < 0.05, uncorrected).`;
  return [...lines, answer];
}

/** Variants whose output layer never fired on the probe: they had not started learning by the budget's end. */
function silentVariants(r: ExperimentResults): string[] {
  const silent = r.summary.variants.filter((v) => Object.values(v.firingRate).at(-1) === 0);
  if (silent.length === 0) return [];
  const names = silent.map((v) => `${v.variant} (${v.testAccuracy.mean.toFixed(2)}%)`).join(', ');
  return [`Did not start learning within ${r.setup.images} images: ${names}: their output layer never fired on the probe images, and the test accuracy is that of a constant guess. With T = ${r.setup.timeSteps} steps a large tau charges too slowly to reach the threshold; their comparison says nothing about learning speed.`];
}

const CONCLUDE: Record<string, (r: ExperimentResults) => string[]> = { 'plif-vs-lif': plifVsLif, 'max-vs-avg': maxVsAvg, hyperpolarize };

export function experimentView(r: ExperimentResults): ExperimentView {
  const m = r.machine;
  const s = r.setup;
  return {
    name: r.experiment,
    question: r.question,
    claim: r.claim,
    command: r.command,
    machine: `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}, ${m.backend}; load average ${m.loadAverage.map((l) => l.toFixed(1)).join(' / ')} at the start (the machine was shared)`,
    setup: `preset ${s.preset} (batch ${s.batchSize}, T = ${s.timeSteps}, lr ${s.learningRate}, cosine over the budget), ${s.images} training images per run in one order (data seed ${s.dataSeed}), weight seeds ${r.seeds.join(', ')}, tested every ${s.curveEvery} images on ${r.data.test}`,
    complete: r.complete,
    runsDone: r.runs.length,
    runsPlanned: r.variants.length * r.seeds.length,
    bands: bandsOf(r),
    rows: r.summary.variants,
    test: r.summary.test,
    verdicts: [...r.summary.comparisons.map((c) => c.verdict), ...(r.summary.sensitivity?.[0] ? [`Sensitivity to tau: ${r.summary.sensitivity[0].verdict}`] : [])],
    conclusions: [...(CONCLUDE[r.experiment] ?? (() => []))(r), ...silentVariants(r)],
  };
}
