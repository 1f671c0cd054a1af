import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { suggest } from '@spikeflow/spec';
import { UsageError } from '../flags.js';
import { readMetrics, type MetricsRecord } from '../metrics.js';
import { writeFileAtomic } from '../write-file.js';
import { CLIENT_JS } from './client.js';

export const REPORT_FILE = 'report.html';

/** uPlot's script and style, read once from the installed package and inlined in every report. */
let uplot: { js: string; css: string } | undefined;
function uplotAssets(): { js: string; css: string } {
  if (!uplot) {
    const require = createRequire(import.meta.url);
    uplot = {
      js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    };
  }
  return uplot;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
/** JSON safe inside a <script> element (no "</script>" can end it early). */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; } h3 { font-size: 14px; margin: 0 0 4px; }
#charts { display: flex; flex-wrap: wrap; gap: 24px; }
.chart { border: 1px solid #ddd; padding: 8px; border-radius: 4px; }
.note { color: #666; font-size: 12px; margin: 0 0 4px; max-width: 560px; }
table { border-collapse: collapse; font-size: 13px; } td, th { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
pre { margin: 0; white-space: pre-wrap; font-size: 12px; }
`;

function page(title: string, subtitle: string, tables: string, data: unknown): string {
  const { js, css } = uplotAssets();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>${css}</style><style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(subtitle)}</p>
<div id="charts"></div>
${tables}
<script id="report-data" type="application/json">${scriptJson(data)}</script>
<script>${js}</script>
<script>${CLIENT_JS}</script>
</body></html>
`;
}

const pct = (x: number | null | undefined) => (typeof x === 'number' && Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : '-');
const fixed = (x: number | null | undefined, d: number) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '-');
const exp = (x: number | null | undefined) => (typeof x === 'number' && Number.isFinite(x) ? x.toExponential(2) : '-');
/** Per-layer values (tau), where a non-finite one was written as null. */
const perLayer = (m: Record<string, number | null> | undefined, d: number) => Object.entries(m ?? {}).map(([k, v]) => `${k} ${fixed(v, d)}`).join(', ');

function epochTable(metrics: MetricsRecord[]): string {
  const rows = metrics.map(
    (m) =>
      `<tr><td class="num">${m.epoch}${m.complete ? '' : ' (part)'}</td><td class="num">${fixed(m.trainLoss, 4)}</td><td class="num">${pct(m.trainAccuracy)}</td><td class="num">${pct(m.testAccuracy)}</td>` +
      `<td class="num">${exp(m.learningRate)}</td><td class="num">${fixed(m.imagesPerSecond, 1)}</td><td class="num">${fixed(m.elapsedMinutes, 1)}</td>` +
      `<td>${escapeHtml(perLayer(m.tau, 3))}</td></tr>`,
  );
  return `<h2>Epochs</h2><table><tr><th>epoch</th><th>train loss</th><th>train acc</th><th>test acc</th><th>lr (end)</th><th>img/s</th><th>minutes</th><th>tau</th></tr>${rows.join('')}</table>`;
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Checks that `dir` holds a training run; the error names the folder and what is missing. */
export async function checkRunDir(dir: string, flag = 'report'): Promise<void> {
  const s = await stat(dir).catch(() => undefined);
  if (!s?.isDirectory()) {
    // Suggest the closest sibling folder that holds a run.
    const parent = dirname(dir);
    const siblings = await readdir(parent, { withFileTypes: true }).catch(() => []);
    const runs = siblings.filter((d) => d.isDirectory() && existsSync(join(parent, d.name, 'metrics.jsonl'))).map((d) => d.name);
    const close = suggest(basename(dir), runs);
    throw new UsageError(`${flag}: "${dir}" is not a folder${close.length ? ` (did you mean "${join(parent, close[0])}"?)` : ''}`);
  }
  if (!(await stat(join(dir, 'metrics.jsonl')).catch(() => undefined))) throw new UsageError(`${flag}: "${dir}" holds no metrics.jsonl (not a training run's --out folder)`);
}

/** Writes DIR/report.html for one training run (metrics.jsonl + run.json), atomically. */
export async function writeReport(dir: string): Promise<string> {
  const metrics = await readMetrics(dir);
  const run = ((await readJson(join(dir, 'run.json'))) ?? {}) as Record<string, unknown>;
  const backend = run.backend as { name?: string; detail?: unknown } | undefined;
  const best = metrics.reduce((a, m) => Math.max(a, m.testAccuracy ?? -1), -1);
  const last = metrics[metrics.length - 1];
  const subtitle = `${metrics.length} epoch(s) on ${backend?.name ?? 'an unknown backend'}; final test accuracy ${pct(last?.testAccuracy)}, best ${pct(best)}; ${fixed(last?.elapsedMinutes, 1)} minutes`;
  const settings =
    `<h2>Settings</h2><table>` +
    `<tr><th>preset</th><td>${escapeHtml(String(run.preset ?? '-'))}</td></tr>` +
    `<tr><th>backend</th><td>${escapeHtml(JSON.stringify(backend ?? '-'))}</td></tr>` +
    `<tr><th>data</th><td>${escapeHtml(Object.entries((run.data as Record<string, string>) ?? {}).map(([k, v]) => `${k}: ${v}`).join('; '))}</td></tr>` +
    `<tr><th>host</th><td>${escapeHtml(JSON.stringify(run.host ?? '-'))}</td></tr>` +
    `<tr><th>command</th><td>${escapeHtml(((run.argv as string[]) ?? []).join(' '))}</td></tr>` +
    `<tr><th>started / finished</th><td>${escapeHtml(`${run.started ?? '-'} / ${run.finished ?? '-'} (${run.stopReason ?? '-'})`)}</td></tr>` +
    `<tr><th>settings</th><td><details><summary>model and training settings (JSON)</summary><pre>${escapeHtml(JSON.stringify(run.settings ?? '-', null, 1))}</pre></details></td></tr>` +
    `</table>`;
  const html = page(`spikeflow training report: ${String(run.preset ?? dir)}`, subtitle, epochTable(metrics) + settings, { kind: 'run', metrics });
  return writeAtomic(join(dir, REPORT_FILE), html);
}

export interface ComparisonRun {
  name: string;
  /** What differs in this variant. */
  note: string;
  metrics: MetricsRecord[];
}

/** One HTML page comparing variants: curves overlaid, and a final table. */
export async function writeComparisonReport(file: string, title: string, subtitle: string, runs: ComparisonRun[]): Promise<string> {
  const rows = runs.map((r) => {
    const last = r.metrics[r.metrics.length - 1];
    const best = r.metrics.reduce((a, m) => Math.max(a, m.testAccuracy ?? -1), -1);
    const tau = last ? perLayer(last.tau, 2) : '-';
    return (
      `<tr><td>${escapeHtml(r.name)}</td><td>${escapeHtml(r.note)}</td><td class="num">${r.metrics.length}</td><td class="num">${pct(last?.testAccuracy)}</td><td class="num">${pct(best)}</td>` +
      `<td class="num">${fixed(last?.trainLoss, 4)}</td><td class="num">${fixed(last?.elapsedMinutes, 1)}</td><td>${escapeHtml(tau)}</td></tr>`
    );
  });
  const table = `<h2>Final table</h2><table><tr><th>variant</th><th>setting</th><th>epochs</th><th>final test acc</th><th>best test acc</th><th>final train loss</th><th>minutes</th><th>tau (end)</th></tr>${rows.join('')}</table>`;
  return writeAtomic(file, page(title, subtitle, table, { kind: 'comparison', runs }));
}

async function writeAtomic(file: string, text: string): Promise<string> {
  await writeFileAtomic(file, text);
  return file;
}
