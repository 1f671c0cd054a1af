import type { Flags } from '../flags.js';

/** What a command gets: its arguments and where to write. */
export interface CommandContext {
  positionals: string[];
  flags: Flags;
  log: (line: string) => void;
  /** Aborted on Ctrl-C (the train command stops after the current step). */
  signal?: AbortSignal;
}

/** One `spikeflow NAME` command. Returns the exit code. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage lines (flags) shown by --help. */
  usage: string;
  /** false: run() needs neither tfjs nor the plugins, so main() does not load them first (default true). */
  needsRuntime?: boolean;
  run(ctx: CommandContext): Promise<number>;
}
