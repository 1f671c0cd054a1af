import { loadCommands } from './command-list.js';
import type { Command, CommandContext } from './commands/command.js';
import { parse, unknownName, UsageError, type Flags } from './flags.js';
import { loadRuntime } from './runtime-loader.js';

// tfjs, the backends and the plugins (runtime.ts) load only once a command's usage is printed or a
// command runs: the command list, an unknown command and a flag error answer without them.

/** Every command: each file in commands/ that exports one (see command-list.ts). */
export const COMMANDS: Command[] = await loadCommands();

/** The one convention every command follows. */
export const EXIT_CODES = 'exit codes: 0 done, 1 run error (bad data, divergence, damaged checkpoint), 2 usage error (a flag, a --spec file, a contradicting --resume, a busy or unwritable --out), 130 interrupted (Ctrl-C; the epoch so far is saved), 143 stopped by SIGTERM (the epoch so far is saved)';

const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;

/** What `spikeflow`, `spikeflow --help` and `spikeflow help` print: every command, one line each (choices follow the registries, so it is read anew each time). */
export const usageText = (): string => [
  'usage: spikeflow COMMAND [flags]',
  '',
  'commands:',
  ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
  '',
  "`spikeflow help COMMAND` or `spikeflow COMMAND --help` shows a command's flags.",
  '--verbose: also show the startup messages of tfjs and its backends.',
  EXIT_CODES,
].join('\n');

/** The help text when this module loaded (usageText() reads it anew). */
export const USAGE = usageText();

/** What `spikeflow help COMMAND` and `spikeflow COMMAND --help` print. */
export function commandUsage(cmd: Command): string {
  return `spikeflow ${cmd.name}: ${cmd.summary}\n\nusage: ${cmd.usage}\n\n${EXIT_CODES}`;
}

export { parse, UsageError };

export interface MainOptions {
  /** Aborted on Ctrl-C or SIGTERM: train stops after the current step, saves the epoch so far and returns 130 (143 when the abort reason is 'SIGTERM'). */
  signal?: AbortSignal;
}

function findCommand(name: string): Command {
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) throw unknownName('command', 'command', name, COMMANDS.map((c) => c.name));
  return cmd;
}

/** Flags that say how to run, not what: allowed without a command. */
const GLOBAL_FLAGS = new Set(['help', 'verbose']);

/** No command named: the command list. Flags alone (`spikeflow --epochs 3`) are a usage error that says to name one. */
function withoutCommand(argv: string[], flags: Flags, log: (line: string) => void): number {
  const stray = Object.keys(flags).filter((f) => !GLOBAL_FLAGS.has(f));
  if (stray.length > 0) throw new UsageError(`--${stray[0]} needs a command first, e.g. \`spikeflow train ${argv.join(' ')}\`; commands: ${COMMANDS.map((c) => c.name).join(', ')}`);
  log(usageText());
  return 0;
}

/** Loads the runtime, quiet unless --verbose (tfjs and Dawn print startup messages otherwise). */
async function startRuntime(flags: Flags): Promise<void> {
  (await loadRuntime()).setVerbose(flags.verbose === true);
}

export async function main(argv: string[], log: (line: string) => void = console.log, options: MainOptions = {}): Promise<number> {
  const { command, positionals, flags } = parse(argv);
  if (command === undefined) return withoutCommand(argv, flags, log);
  if (command === 'help') {
    if (positionals.length > 1) throw new UsageError(`help takes one command name, got ${positionals.length}: ${positionals.join(' ')}`);
    if (positionals.length === 0) {
      log(usageText());
      return 0;
    }
    const cmd = findCommand(positionals[0]);
    await startRuntime(flags);
    log(commandUsage(cmd));
    return 0;
  }
  const cmd = findCommand(command);
  if (flags.help) {
    await startRuntime(flags);
    log(commandUsage(cmd));
    return 0;
  }
  if (!['experiment', 'report', 'export', 'import'].includes(cmd.name) && positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"; see spikeflow help ${cmd.name}`);
  if (cmd.needsRuntime !== false) await startRuntime(flags);
  const ctx: CommandContext = { positionals, flags, log, signal: options.signal };
  return cmd.run(ctx);
}
