// Turns the rounds of the CSNN training benchmark into its JSON report and its table: the best
// round of each run (highest SNN images/s), and each spikeflow backend's ratio to SpikingJelly.

/** The round with the most SNN images/s, or undefined when every round failed. */
export function bestRound(rounds) {
  return rounds.filter((r) => !r.error).sort((a, b) => b.snnImagesPerSecond - a.snnImagesPerSecond)[0];
}

/**
 * runs: [{ name, framework, backend?, rounds: [result | { error }] }] in table order.
 * spikingjelly: { status: 'ran' | 'skipped' | 'off', reason?, where? }.
 */
export function buildCompareReport({ T, batch, rounds, runs, spikingjelly, load, cores, date = new Date().toISOString() }) {
  const withBest = runs.map((run) => {
    const best = bestRound(run.rounds);
    const errors = run.rounds.filter((r) => r.error).map((r) => r.error);
    return { ...run, best: best ?? null, ...(best ? {} : { error: errors[0] ?? 'no round ran' }) };
  });
  const sj = withBest.find((r) => r.framework === 'spikingjelly')?.best;
  const ratios = sj
    ? withBest.filter((r) => r.framework === 'spikeflow' && r.best).map((r) => ({
      backend: r.backend,
      spikeflowImagesPerSecond: r.best.snnImagesPerSecond,
      spikingjellyImagesPerSecond: sj.snnImagesPerSecond,
      ratio: r.best.snnImagesPerSecond / sj.snnImagesPerSecond,
    }))
    : [];
  return { T, batch, rounds, date, load, cores, runs: withBest, spikingjelly, ratios };
}

const f = (v, d = 1) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '-');

/** The report as a markdown table plus the SpikingJelly line and the ratios. */
export function formatCompareTable(report) {
  const lines = [];
  const load = report.load ? `, load ${report.load.map((l) => l.toFixed(1)).join(' ')}` : '';
  lines.push(`CSNN training, T=${report.T}, batch ${report.batch}: best of ${report.rounds} round(s), rounds taken in turns (${report.cores} cores${load})`);
  lines.push('| run | neuron op | threads | SNN images/s | each round | ANN floor images/s | SNN / ANN step | neuron op share | peak tensors MB | peak RSS MB | vs SpikingJelly |');
  lines.push('|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const run of report.runs) {
    const b = run.best;
    if (!b) {
      lines.push(`| ${run.name} | - | - | - | - | - | - | - | - | - | ${run.error} |`);
      continue;
    }
    const each = run.rounds.map((r) => (r.error ? 'failed' : f(r.snnImagesPerSecond))).join(', ');
    const ratio = report.ratios.find((r) => run.framework === 'spikeflow' && r.backend === run.backend);
    lines.push(`| ${run.name} | ${b.neuronImpl ?? '-'} | ${b.threads ?? '-'} | ${f(b.snnImagesPerSecond)} | ${each} | ${f(b.annImagesPerSecond)} | ${f(b.ratio, 2)} | ${f(100 * b.neuronShare, 1)}% | ${f(b.peakTensorMB, 0)} | ${f(b.peakRssMB, 0)} | ${ratio ? f(ratio.ratio, 2) : '-'} |`);
  }
  const sj = report.spikingjelly;
  if (sj.status === 'skipped') lines.push(`\nSpikingJelly: skipped: ${sj.reason}; ${sj.where}.`);
  if (sj.status === 'off') lines.push('\nSpikingJelly: not run (--no-spikingjelly).');
  for (const r of report.ratios) {
    lines.push(`spikeflow ${r.backend} / SpikingJelly: ${f(r.ratio, 2)} (${f(r.spikeflowImagesPerSecond)} / ${f(r.spikingjellyImagesPerSecond)} images/s, best of ${report.rounds} round(s) each)`);
  }
  lines.push('peak tensors: tf.profile peakBytes of one SNN step (tensors tfjs tracks); peak RSS: the process\'s resident memory at its highest, read after the SNN steps.');
  return lines.join('\n');
}
