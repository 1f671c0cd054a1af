// The report opens offline in headless Chromium with no console error and every chart drawn.
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main, readMetrics, writeComparisonReport } from '../src/index.js';
// @ts-expect-error a plain .mjs script (no types): the same check as `node scripts/check-report.mjs`
import { checkReport } from '../scripts/check-report.mjs';

const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(chromium);
if (!haveChromium) console.warn(`report.test.ts: browser check skipped: no Chromium at ${chromium} (CI installs Debian's chromium; set CHROMIUM=PATH elsewhere)`);
const artifacts = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');

interface Check {
  errors: string[];
  requests: string[];
  charts: Array<{ title: string; drawn: boolean; inked: number }>;
}

describe.skipIf(!haveChromium)('HTML reports in headless Chromium', () => {
  it('a training run report and an experiment comparison: every chart drawn, no error, no request', async () => {
    const out = mkdtempSync(join(tmpdir(), 'spikeflow-report-'));
    const args = ['--preset', 'synthetic', '--backend', 'cpu', '--time-steps', '3', '--batch-size', '16', '--train-limit', '64', '--test-limit', '16', '--epochs', '3', '--progress', 'none'];
    expect(await main(['train', ...args, '--out', out], () => {})).toBe(0);
    mkdirSync(artifacts, { recursive: true });
    const run: Check = await checkReport(join(out, 'report.html'), join(artifacts, 'report.png'));
    expect(run.errors).toEqual([]);
    expect(run.requests).toEqual([]);
    const titles = run.charts.map((c) => c.title);
    expect(titles.slice(0, 4)).toEqual(['Loss per epoch', 'Accuracy per epoch', 'Learned membrane time constant tau per layer', 'Firing rate per layer (test probe batch)']);
    // A raster and a membrane trace for each of the 4 neuron layers.
    expect(titles.filter((t) => t.startsWith('Spike raster, neuron'))).toHaveLength(4);
    expect(titles.filter((t) => t.startsWith('Membrane potential, neuron'))).toHaveLength(4);
    for (const c of run.charts) {
      expect(c.drawn, c.title).toBe(true);
      expect(c.inked, c.title).toBeGreaterThan(1000);
    }

    const metrics = await readMetrics(out);
    const file = await writeComparisonReport(join(out, 'comparison.html'), 'comparison', 'two arms', [
      { name: 'a', note: 'first', metrics },
      { name: 'b', note: 'second', metrics: metrics.slice(0, 2) },
    ]);
    const cmp: Check = await checkReport(file, join(artifacts, 'comparison.png'));
    expect(cmp.errors).toEqual([]);
    expect(cmp.requests).toEqual([]);
    expect(cmp.charts.map((c) => c.title)).toEqual([
      'Test accuracy per epoch',
      'Training loss per epoch',
      'Training accuracy per epoch',
      'Mean membrane time constant tau over the layers',
    ]);
    for (const c of cmp.charts) expect(c.drawn && c.inked > 1000, c.title).toBe(true);
  }, 240_000);
});
