import { PAPER_PRESETS, presetTable } from '../presets.js';
import type { CommandContext } from '../commands/command.js';

/** `spikeflow presets` (its usage: commands/presets.ts). */
export async function runPresets({ log }: CommandContext): Promise<number> {
  const table = presetTable();
  const width = Math.max(...Object.keys(table).map((n) => n.length));
  log(`${'preset'.padEnd(width)}  paper acc  description`);
  for (const [name, p] of Object.entries(table)) {
    const paper = p.paperAccuracy !== undefined ? `${p.paperAccuracy.toFixed(2)}%` : '-';
    log(`${name.padEnd(width)}  ${paper.padStart(9)}  ${p.description}`);
  }
  log(`paper acc: test accuracy Fang et al. (ICCV 2021) report for PLIF tau0=2 with max pooling; the paper's settings: ${PAPER_PRESETS.join(', ')}`);
  return 0;
}
