import * as tf from '@tensorflow/tfjs';
import '@spikeflow/core/node';
import { use } from '@spikeflow/core';
import { neurons, surrogates } from '@spikeflow/neurons';
import { cubaLifNeuron } from '@spikeflow/neurons-extra';
import { pools } from '@spikeflow/pooling';
import type { Command } from './commands/command.js';
import { evalCommand, inspect } from './commands/eval.js';
import { experiment } from './commands/experiment.js';
import { exportCommand, importCommand } from './commands/nir.js';
import { presets } from './commands/presets.js';
import { report } from './commands/report.js';
import { train } from './commands/train.js';
import { parse, unknownName, UsageError } from './flags.js';

// CubaLIF too, so that NIR files with CubaLIF nodes import and their checkpoints load.
use(neurons, surrogates, pools, cubaLifNeuron);
// Production mode: no debug checks, and no console banner from tfjs about its Node backend.
tf.enableProdMode();

/** Every command; a new one is a file in commands/ and a line here. */
export const COMMANDS: Command[] = [train, evalCommand, inspect, presets, report, experiment, exportCommand, importCommand];

/** The one convention every command follows. */
export const EXIT_CODES = 'exit codes: 0 done, 1 run error (bad data, divergence, damaged checkpoint), 2 usage error (a flag, a --spec file, a contradicting --resume), 130 interrupted (Ctrl-C; the epoch so far is saved)';

export const USAGE = `usage:\n${COMMANDS.map((c) => `  ${c.usage}`).join('\n')}\n\ncommands:\n${COMMANDS.map((c) => `  ${c.name.padEnd(11)} ${c.summary}`).join('\n')}\n\n${EXIT_CODES}`;

export { parse, UsageError };
export { resolvePreset } from './resolve.js';

export interface MainOptions {
  /** Aborted on Ctrl-C: train stops after the current step, saves the epoch so far and returns 130. */
  signal?: AbortSignal;
}

export async function main(argv: string[], log: (line: string) => void = console.log, options: MainOptions = {}): Promise<number> {
  const { command, positionals, flags } = parse(argv);
  const cmd = COMMANDS.find((c) => c.name === command);
  if (flags.help) {
    log(cmd ? `usage: ${cmd.usage}\n\n${EXIT_CODES}` : USAGE);
    return 0;
  }
  if (!cmd) throw unknownName('command', 'command', command, COMMANDS.map((c) => c.name));
  if (!['experiment', 'report', 'export', 'import'].includes(cmd.name) && positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"; see --help`);
  return cmd.run({ positionals, flags, log, signal: options.signal });
}
