// The cost table as text: per layer how it ran, SynOps against the float network's MACs, firing
// rate, spike storage and time.
import type { CostReport } from './engine.js';

const count = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(0));
const bytes = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(2)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

export function formatCostTable(report: CostReport): string {
  const timed = report.total.ms !== undefined;
  const rows: string[][] = [['layer', 'kind', 'runs', 'SynOps', 'dense MACs', 'ratio', 'firing', 'output bytes', 'as float32', ...(timed ? ['ms'] : [])]];
  for (const l of report.layers) {
    const ratio = l.denseMacs > 0 ? `${(l.synOps / l.denseMacs).toFixed(3)}` : '';
    rows.push([
      l.layer, l.kind, l.kernel ? `${l.mode} (${l.kernel})` : l.mode,
      l.denseMacs > 0 || l.synOps > 0 ? count(l.synOps) : '', l.denseMacs > 0 ? count(l.denseMacs) : '', ratio,
      l.firingRate !== undefined ? `${(100 * l.firingRate).toFixed(1)}%` : '',
      l.bytes > 0 ? bytes(l.bytes) : '', l.floatBytes > 0 ? bytes(l.floatBytes) : '',
      ...(timed ? [l.ms !== undefined ? l.ms.toFixed(3) : ''] : []),
    ]);
  }
  const t = report.total;
  rows.push(['total', '', '', count(t.synOps), count(t.denseMacs), t.denseMacs ? (t.synOps / t.denseMacs).toFixed(3) : '', '', bytes(t.bytes), bytes(t.floatBytes), ...(timed ? [t.ms!.toFixed(3)] : [])]);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = rows.map((r) => r.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd());
  const notes = report.layers.filter((l) => l.note).map((l) => `  ${l.layer}: ${l.note}`);
  return [`cost per sample (${report.samples} samples; SynOps: accumulations done, dense MACs: the float network's)`, ...lines, ...(notes.length ? ['notes:', ...notes] : [])].join('\n');
}
