// The HTML report of an experiment: learning curves as seed bands (an inline SVG, so the file opens
// offline with nothing else), the summary table, the verdicts and every run.
import type { ExperimentResults } from '../experiment/results.js';
import type { RunEntry } from '../experiment/summary.js';

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface BandPoint {
  images: number;
  mean: number;
  min: number;
  max: number;
}

/** Per test point of a variant's runs: mean, min and max test accuracy (%) over the seeds. */
export function seedBand(runs: RunEntry[]): BandPoint[] {
  const points = new Map<number, number[]>();
  for (const r of runs) for (const p of r.curve) points.set(p.images, [...(points.get(p.images) ?? []), 100 * p.testAccuracy]);
  return [...points.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([images, accs]) => ({ images, mean: accs.reduce((a, x) => a + x, 0) / accs.length, min: Math.min(...accs), max: Math.max(...accs) }));
}

/** Learning curves, one line (mean over seeds) and one band (min to max over seeds) per variant. */
export function curveChartSvg(results: ExperimentResults, width = 640, height = 320): string {
  const margin = { left: 48, right: 160, top: 12, bottom: 36 };
  const bands = results.variants.map((v) => ({ name: v.name, band: seedBand(results.runs.filter((r) => r.variant === v.name)) })).filter((b) => b.band.length > 0);
  const all = bands.flatMap((b) => b.band);
  if (all.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="40"><text x="8" y="24" font-size="12">no finished runs yet</text></svg>`;
  const xMax = Math.max(...all.map((p) => p.images));
  const step = Math.max(...all.map((p) => p.max)) - Math.min(...all.map((p) => p.min)) > 30 ? 10 : 5;
  const yLo = Math.max(0, Math.floor(Math.min(...all.map((p) => p.min)) / step) * step);
  const yHi = Math.min(100, Math.max(yLo + step, Math.ceil(Math.max(...all.map((p) => p.max)) / step) * step));
  const w = width - margin.left - margin.right;
  const h = height - margin.top - margin.bottom;
  const x = (v: number) => margin.left + (v / xMax) * w;
  const y = (v: number) => margin.top + h - ((v - yLo) / Math.max(1e-9, yHi - yLo)) * h;
  const parts: string[] = [];
  for (let v = yLo; v <= yHi + 1e-9; v += step) {
    parts.push(`<line x1="${margin.left}" x2="${margin.left + w}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/><text x="${margin.left - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11">${v.toFixed(0)}</text>`);
  }
  for (let k = 0; k <= 4; k++) {
    const xv = (xMax * k) / 4;
    parts.push(`<text x="${x(xv)}" y="${margin.top + h + 16}" text-anchor="middle" font-size="11">${Math.round(xv)}</text>`);
  }
  parts.push(`<text x="${margin.left + w / 2}" y="${height - 4}" text-anchor="middle" font-size="11">training images</text>`);
  parts.push(`<text x="12" y="${margin.top + h / 2}" transform="rotate(-90 12 ${margin.top + h / 2})" text-anchor="middle" font-size="11">test accuracy (%)</text>`);
  bands.forEach((b, i) => {
    const colour = PALETTE[i % PALETTE.length];
    const upper = b.band.map((p) => `${x(p.images).toFixed(1)},${y(p.max).toFixed(1)}`);
    const lower = b.band.map((p) => `${x(p.images).toFixed(1)},${y(p.min).toFixed(1)}`).reverse();
    parts.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${colour}" fill-opacity="0.15" stroke="none"/>`);
    parts.push(`<polyline points="${b.band.map((p) => `${x(p.images).toFixed(1)},${y(p.mean).toFixed(1)}`).join(' ')}" fill="none" stroke="${colour}" stroke-width="1.8"/>`);
    parts.push(`<rect x="${margin.left + w + 12}" y="${margin.top + 4 + i * 18}" width="12" height="3" fill="${colour}"/><text x="${margin.left + w + 30}" y="${margin.top + 9 + i * 18}" font-size="11">${escapeHtml(b.name)}</text>`);
  });
  parts.push(`<rect x="${margin.left}" y="${margin.top}" width="${w}" height="${h}" fill="none" stroke="#999"/>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">${parts.join('')}</svg>`;
}

const perLayer = (m: Record<string, number>, d: number) => Object.entries(m).map(([k, v]) => `${k} ${v.toFixed(d)}`).join(', ');
const pm = (m: number, s: number) => `${m.toFixed(2)} ± ${s.toFixed(2)}`;

function summaryTable(r: ExperimentResults): string {
  const rows = r.summary.variants.map(
    (v) =>
      `<tr><td>${escapeHtml(v.variant)}</td><td>${escapeHtml(v.note)}</td><td class="num">${v.seeds}</td><td class="num">${pm(v.testAccuracy.mean, v.testAccuracy.std)}</td>` +
      `<td class="num">${pm(v.curveMean.mean, v.curveMean.std)}</td><td>${perLayer(v.firingRate, 3)}</td><td>${perLayer(v.tau, 2)}${v.tauLearned ? '' : ' (fixed)'}</td><td class="num">${v.images}</td><td class="num">${v.minutes.toFixed(1)}</td></tr>`,
  );
  return `<table><tr><th>variant</th><th>setting</th><th>seeds</th><th>final test acc (%) mean ± std</th><th>learning-curve mean (%)</th><th>firing rate per layer</th><th>tau per layer</th><th>images</th><th>minutes</th></tr>${rows.join('')}</table>`;
}

function runTable(r: ExperimentResults): string {
  const rows = r.runs.map(
    (run) =>
      `<tr><td>${escapeHtml(run.variant)}</td><td class="num">${run.seed}</td><td class="num">${(100 * run.testAccuracy).toFixed(2)}</td><td>${run.curve.map((p) => `${p.images}: ${(100 * p.testAccuracy).toFixed(1)}`).join(', ')}</td>` +
      `<td class="num">${run.images}</td><td class="num">${run.imagesPerSecond.toFixed(1)}</td><td class="num">${run.minutes.toFixed(1)}</td><td><code>${run.orderDigest.slice(0, 12)}</code></td></tr>`,
  );
  return `<table><tr><th>variant</th><th>seed</th><th>test acc (%)</th><th>curve (images: %)</th><th>images</th><th>train img/s</th><th>minutes</th><th>order (sha-256)</th></tr>${rows.join('')}</table>`;
}

const STYLE = `body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1100px; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 24px; }
table { border-collapse: collapse; font-size: 13px; } td, th { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; } code { font-size: 12px; } .note { color: #555; }`;

export function experimentHtml(r: ExperimentResults): string {
  const m = r.machine;
  const verdicts = [...r.summary.comparisons.map((c) => c.verdict), ...(r.summary.sensitivity?.length ? [`Sensitivity to tau: ${r.summary.sensitivity[0].verdict}`] : [])];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>spikeflow experiment: ${escapeHtml(r.experiment)}</title><style>${STYLE}</style></head>
<body>
<h1>spikeflow experiment: ${escapeHtml(r.experiment)}</h1>
<p>${escapeHtml(r.question)}</p>
<p class="note">The paper: ${escapeHtml(r.claim)}</p>
<p><code>${escapeHtml(r.command)}</code></p>
<p class="note">${r.setup.images} training images per run (data seed ${r.setup.dataSeed}: every run the same images in the same order), weight seeds ${r.seeds.join(', ')}, test every ${r.setup.curveEvery} images on ${escapeHtml(r.data.test)}. Preset ${escapeHtml(r.setup.preset)}, batch ${r.setup.batchSize}, T = ${r.setup.timeSteps}, lr ${r.setup.learningRate}.
Machine: ${escapeHtml(m.cpu)}, ${m.cores} cores, ${m.memoryGiB} GiB, ${escapeHtml(m.platform)}, Node ${escapeHtml(m.node)}, backend ${escapeHtml(m.backend)}; load average at start ${m.loadAverage.map((l) => l.toFixed(1)).join(', ')}.${r.complete ? '' : ' <strong>Incomplete: not every run has finished.</strong>'}</p>
<h2>Learning curves</h2>
<p class="note">Line: mean over the seeds; band: lowest to highest seed.</p>
${curveChartSvg(r)}
<h2>Summary</h2>
${summaryTable(r)}
<p class="note">${escapeHtml(r.summary.test)}</p>
<ul>${verdicts.map((v) => `<li>${escapeHtml(v)}</li>`).join('')}</ul>
<h2>Runs</h2>
${runTable(r)}
</body></html>
`;
}
