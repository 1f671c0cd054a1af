import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '../backends.js';
import { loadSplits } from '../data.js';
import { integer, MAX_MINUTES, positive, str, unknownName, UsageError } from '../flags.js';
import { run } from '../loop.js';
import type { MetricsRecord } from '../metrics.js';
import { progressFor, type ProgressMode } from '../progress.js';
import { writeComparisonReport, writeReport, type ComparisonRun } from '../report/write.js';
import { applyFlags, presetNamed } from '../resolve.js';
import { EXPERIMENTS } from '../experiments.js';
import { prepareRunFolder } from '../run-folder.js';
import { lockRunFolder } from '../run-lock.js';
import type { Command } from './command.js';
import { interruptedExitCode } from './train.js';

export const DEFAULT_BUDGET_MINUTES = 3;
export const DEFAULT_EXPERIMENT_PRESET = 'fashion-mnist-quick';

/** The comparison as a Markdown table (printed, and saved beside the report). */
export function comparisonTable(runs: ComparisonRun[]): string {
  const pct = (x: number | undefined) => (typeof x === 'number' && Number.isFinite(x) ? (100 * x).toFixed(2) : '-');
  const lines = ['| variant | setting | epochs | images trained | final test acc (%) | best test acc (%) | tau at the end |', '|---|---|---:|---:|---:|---:|---|'];
  for (const r of runs) {
    const last = r.metrics[r.metrics.length - 1];
    const best = Math.max(...r.metrics.map((m) => m.testAccuracy ?? -1));
    const epochs = last ? `${last.epoch}${last.complete ? '' : ' (part)'}` : '0';
    const tau = last ? Object.values(last.tau).map((v) => v.toFixed(2)).join(', ') : '-';
    const images = r.metrics.reduce((a, m) => a + m.samples, 0);
    lines.push(`| ${r.name} | ${r.note} | ${epochs} | ${images} | ${pct(last?.testAccuracy)} | ${pct(best)} | ${tau || '(fixed)'} |`);
  }
  return lines.join('\n');
}

export const experiment: Command = {
  name: 'experiment',
  summary: `compare variants with the same seed and time budget: ${Object.keys(EXPERIMENTS).join(', ')}`,
  usage: `spikeflow experiment ${Object.keys(EXPERIMENTS).join('|')} [--preset P] [--budget-minutes M] [--out DIR]
                [--backend NAME] [--threads N] [--epochs N] [--train-limit N] [--test-limit N] [--seed N] [--data-dir DIR]`,
  async run({ positionals, flags, log, signal }) {
    const name = positionals[0];
    if (!name) throw new UsageError(`experiment: name one of ${Object.keys(EXPERIMENTS).join(', ')}`);
    if (positionals.length > 1) throw new UsageError(`experiment: unexpected argument "${positionals[1]}"`);
    const exp = Object.hasOwn(EXPERIMENTS, name) ? EXPERIMENTS[name] : undefined;
    if (!exp) throw unknownName('experiment', 'experiment', name, Object.keys(EXPERIMENTS));
    if (flags['max-minutes'] !== undefined) throw new UsageError('--max-minutes: experiments take --budget-minutes (the time each variant trains)');
    const budget = positive(flags, 'budget-minutes', MAX_MINUTES) ?? DEFAULT_BUDGET_MINUTES;
    const presetName = str(flags, 'preset') ?? DEFAULT_EXPERIMENT_PRESET;
    const base = applyFlags(presetNamed(presetName), flags);
    base.maxMinutes = budget;
    const mode = str(flags, 'progress') as ProgressMode | undefined;
    const out = str(flags, 'out') ?? join('runs', `experiment-${name}`);
    // One experiment per folder, checked before the data is loaded (as train's --out).
    await prepareRunFolder(out);
    const lock = await lockRunFolder(out, log);
    try {
      const backend = await selectBackend(str(flags, 'backend') ?? 'auto', integer(flags, 'threads', 1, 64));
      const { train, test } = await loadSplits({
        dataset: base.dataset,
        dataDir: str(flags, 'data-dir'),
        download: flags.download === true,
        trainLimit: base.trainLimit,
        testLimit: base.testLimit,
        seed: base.seed,
        frames: base.model.timeSteps,
      });
      log(`spikeflow experiment ${name}: ${exp.question}`);
      log(`  preset ${presetName} on ${backend.name}, ${budget} min per variant, seed ${base.seed}; train: ${train.source}; test: ${test.source}`);
      const runs: ComparisonRun[] = [];
      const load: Record<string, number[]> = {};
      for (const v of exp.variants) {
        const preset = { ...base, model: v.apply(base.model) };
        const dir = join(out, v.name);
        log(`variant ${v.name}: ${v.note}`);
        load[v.name] = loadavg();
        const result = await run({ preset, train, test, out: dir, signal, log: (l) => log(`  ${l}`), progress: progressFor(mode, (l) => log(`  ${l}`), budget * 60) });
        await writeFile(join(dir, 'run.json'), JSON.stringify({ preset: `${presetName} / ${name} / ${v.name}`, settings: preset, backend, data: { train: train.source, test: test.source } }, null, 2));
        if (result.records.length) await writeReport(dir);
        runs.push({ name: v.name, note: v.note, metrics: result.records as MetricsRecord[] });
        if (result.stopReason === 'aborted') {
          log('interrupted: the comparison covers the variants finished so far');
          break;
        }
      }
      const table = comparisonTable(runs);
      const subtitle = `${exp.question} Preset ${presetName}, ${budget} min per variant, seed ${base.seed}, backend ${backend.name}; train ${train.source}; test ${test.source}.`;
      const file = await writeComparisonReport(join(out, 'comparison.html'), `spikeflow experiment: ${name}`, subtitle, runs);
      await writeFile(join(out, 'comparison.md'), `# ${name}\n\n${subtitle}\n\nLoad average (1, 5, 15 min) at each variant's start: ${JSON.stringify(load)}\n\n${table}\n`);
      log(table);
      log(`comparison report: ${file}`);
      return signal?.aborted ? interruptedExitCode(signal) : 0;
    } finally {
      await lock.release();
    }
  },
};
