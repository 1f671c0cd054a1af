// The summary of an experiment: mean ± standard deviation per variant, Welch's t-test on the pairs
// the experiment names, and a verdict sentence per test that says so when no difference shows.
import type { Experiment, MetricName } from '../experiments.js';
import type { RunMeasures } from './budget-run.js';
import { mean, std, welch, type WelchTest } from './stats.js';

export type { MetricName };

/** Tests are two-sided at this level, uncorrected for the number of comparisons. */
export const ALPHA = 0.05;

export const TEST_DESCRIPTION = `Welch's t-test (two-sided, unequal variances, alpha ${ALPHA}, not corrected for multiple comparisons) over the weight seeds of each variant; values in percentage points.`;

export interface RunEntry extends RunMeasures {
  variant: string;
  note: string;
  seed: number;
}

export interface Spread {
  mean: number;
  std: number;
}

export interface VariantSummary {
  variant: string;
  note: string;
  seeds: number;
  /** Final test accuracy over the seeds. */
  testAccuracy: Spread & { values: number[] };
  /** Mean of the learning curve's test accuracies: higher = learned faster (same test points for every variant). */
  curveMean: Spread;
  /** Mean over the seeds, per neuron layer. */
  firingRate: Record<string, number>;
  tau: Record<string, number>;
  tauLearned: boolean;
  images: number;
  minutes: number;
}

export interface ComparisonResult {
  a: string;
  b: string;
  metric: MetricName;
  test?: WelchTest;
  verdict: string;
}

export interface ExperimentSummary {
  test: string;
  variants: VariantSummary[];
  comparisons: ComparisonResult[];
  /** Spread of variant means across a setting (e.g. the initial tau), per group of variants. */
  sensitivity?: { group: string; variants: string[]; spread: number; verdict: string }[];
}

const meanOver = (records: Record<string, number>[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const key of Object.keys(records[0] ?? {})) out[key] = mean(records.map((r) => r[key] ?? NaN));
  return out;
};

const curveMeanOf = (r: RunMeasures) => mean(r.curve.map((p) => p.testAccuracy));
const firingOf = (r: RunMeasures) => mean(Object.values(r.firingRate));

function metricValues(runs: RunEntry[], metric: MetricName): number[] {
  if (metric === 'mean firing rate') return runs.map(firingOf);
  return runs.map((r) => 100 * (metric === 'final test accuracy' ? r.testAccuracy : curveMeanOf(r)));
}

const fmt = (x: number, d = 2) => x.toFixed(d);
const pText = (p: number) => (p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`);

/** The verdict sentence of one test. */
export function verdictOf(a: string, b: string, metric: MetricName, seeds: [number, number], test: WelchTest | undefined): string {
  const unit = metric === 'mean firing rate' ? '' : ' points';
  const d = metric === 'mean firing rate' ? 4 : 2;
  if (!test) return `${a} against ${b} on ${metric}: no test (Welch's t needs at least 2 seeds per variant; have ${seeds[0]} and ${seeds[1]}).`;
  const stats = `${test.difference >= 0 ? '+' : ''}${fmt(test.difference, d)} ± ${fmt(test.standardError, d)}${unit}, Welch's t = ${fmt(test.t)}, df = ${fmt(test.df, 1)}, ${pText(test.p)}`;
  if (test.p >= ALPHA) return `${a} against ${b} on ${metric}: no difference detected (${stats}).`;
  return `${a} ${test.difference > 0 ? 'is higher than' : 'is lower than'} ${b} on ${metric} (${stats}).`;
}

export function summarize(experiment: Experiment, runs: RunEntry[]): ExperimentSummary {
  const byVariant = new Map<string, RunEntry[]>();
  for (const v of experiment.variants) byVariant.set(v.name, runs.filter((r) => r.variant === v.name));
  const variants: VariantSummary[] = [];
  for (const v of experiment.variants) {
    const own = byVariant.get(v.name)!;
    if (own.length === 0) continue;
    const acc = own.map((r) => 100 * r.testAccuracy);
    const curve = own.map((r) => 100 * curveMeanOf(r));
    variants.push({
      variant: v.name,
      note: v.note,
      seeds: own.length,
      testAccuracy: { mean: mean(acc), std: std(acc), values: acc },
      curveMean: { mean: mean(curve), std: std(curve) },
      firingRate: meanOver(own.map((r) => r.firingRate)),
      tau: meanOver(own.map((r) => r.tau)),
      tauLearned: own.some((r) => r.tauLearned),
      images: own[0].images,
      minutes: mean(own.map((r) => r.minutes)),
    });
  }
  const comparisons: ComparisonResult[] = [];
  for (const { a, b } of experiment.comparisons) {
    const ra = byVariant.get(a) ?? [];
    const rb = byVariant.get(b) ?? [];
    if (ra.length === 0 || rb.length === 0) continue;
    for (const metric of experiment.metrics) {
      const test = welch(metricValues(ra, metric), metricValues(rb, metric));
      comparisons.push({ a, b, metric, ...(test ? { test } : {}), verdict: verdictOf(a, b, metric, [ra.length, rb.length], test) });
    }
  }
  return { test: TEST_DESCRIPTION, variants, comparisons, ...sensitivityOf(experiment, variants) };
}

/**
 * How much a group's final accuracy moves with the setting it sweeps (PLIF's initial tau, LIF's
 * tau): the range of its variant means. Two groups differ in sensitivity when their ranges differ by
 * more than twice the pooled seed standard deviation (a stated rule of thumb, not a test).
 */
function sensitivityOf(experiment: Experiment, variants: VariantSummary[]): Pick<ExperimentSummary, 'sensitivity'> {
  if (!experiment.sensitivity) return {};
  const pooled = Math.sqrt(mean(variants.map((v) => v.testAccuracy.std ** 2)));
  const groups = experiment.sensitivity.map((g) => {
    const means = variants.filter((v) => g.variants.includes(v.variant)).map((v) => v.testAccuracy.mean);
    return { group: g.group, variants: g.variants, spread: means.length > 1 ? Math.max(...means) - Math.min(...means) : NaN };
  });
  const [x, y] = groups;
  let verdict = 'not enough variants finished to compare sensitivities.';
  if (x && y && Number.isFinite(x.spread) && Number.isFinite(y.spread)) {
    const gap = Math.abs(x.spread - y.spread);
    const rule = `spread ${x.group} ${fmt(x.spread)} points, ${y.group} ${fmt(y.spread)} points; rule: a gap above twice the pooled seed std (${fmt(2 * pooled)} points)`;
    if (gap <= 2 * pooled) verdict = `no difference in sensitivity to tau detected (${rule}).`;
    else verdict = `${x.spread < y.spread ? x.group : y.group} is less sensitive to tau than ${x.spread < y.spread ? y.group : x.group} (${rule}).`;
  }
  return { sensitivity: groups.map((g) => ({ ...g, verdict })) };
}
