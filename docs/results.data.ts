// Read at build time: every committed docs/results/NAME/results.json, as the Results page shows it.
import { readFileSync } from 'node:fs';
import type { ExperimentResults } from '@spikeflow/train';
import { experimentView, type ExperimentView } from './lib/experiment-results';

const ORDER = ['plif-vs-lif', 'max-vs-avg', 'hyperpolarize'];

declare const data: Record<string, ExperimentView>;
export { data };

export default {
  watch: ['./results/*/results.json'],
  load(files: string[]): Record<string, ExperimentView> {
    const views = files.map((f) => experimentView(JSON.parse(readFileSync(f, 'utf8')) as ExperimentResults));
    views.sort((a, b) => ORDER.indexOf(a.name) - ORDER.indexOf(b.name));
    return Object.fromEntries(views.map((v) => [v.name, v]));
  },
};
