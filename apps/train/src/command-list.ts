import { readdirSync } from 'node:fs';
import type { Command } from './commands/command.js';

// A command file holds the command's name, summary and usage, and imports what it runs inside
// run(): every file here is loaded to list the commands, and help must not wait for tfjs.

/** The command `npm run train` names, listed first; the rest follow in file order. */
const FIRST = 'train';

function isCommand(value: unknown): value is Command {
  // `usage` may be a getter that needs the runtime, not loaded yet: its presence is checked, not its value.
  const c = value as Partial<Command> | null;
  return typeof c === 'object' && c !== null && typeof c.name === 'string' && typeof c.summary === 'string' && 'usage' in c && typeof c.run === 'function';
}

/**
 * Every command exported by a file in commands/ (sources under vitest, compiled .js when built), so
 * a new command is a new file there and nothing else: help, the unknown-command message and
 * dispatch all read this list.
 */
export async function loadCommands(): Promise<Command[]> {
  const dir = new URL('./commands/', import.meta.url);
  const files = readdirSync(dir)
    .filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts') && !f.startsWith('command.'))
    .sort();
  const found: Command[] = [];
  for (const file of files) {
    const module: Record<string, unknown> = await import(new URL(file, dir).href);
    for (const value of Object.values(module)) if (isCommand(value) && !found.includes(value)) found.push(value);
  }
  const names = found.map((c) => c.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw new Error(`two commands are named "${duplicate}" in ${dir.pathname}`);
  return [...found.filter((c) => c.name === FIRST), ...found.filter((c) => c.name !== FIRST)];
}
