import { str, UsageError } from '../flags.js';
import { checkRunDir, writeReport } from '../report/write.js';
import type { Command } from './command.js';

export const report: Command = {
  name: 'report',
  summary: "write DIR/report.html: one self-contained page (opens offline) of a training run's --out folder",
  usage: 'spikeflow report DIR',
  needsRuntime: false,
  async run({ positionals, flags, log }) {
    const dir = positionals[0] ?? str(flags, 'out');
    if (!dir) throw new UsageError('report: name the training run\'s folder (the --out of "spikeflow train"): spikeflow report DIR');
    if (positionals.length > 1) throw new UsageError(`report: unexpected argument "${positionals[1]}"; one folder only`);
    await checkRunDir(dir);
    log(`report: ${await writeReport(dir)}`);
    return 0;
  },
};
