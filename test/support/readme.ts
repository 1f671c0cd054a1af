// Reads what the root README tells users to run, so the registry test runs exactly that.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './workspaces.js';

const readme = () => readFileSync(join(repoRoot, 'README.md'), 'utf8');

/** The packages of the `npm install ...` command in the "which packages" table row labelled **label**. */
export function installPackages(label: string): string[] {
  const row = readme()
    .split('\n')
    .find((line) => line.startsWith(`| **${label}**`));
  const command = row && /`npm install ([^`]+)`/.exec(row)?.[1];
  if (!command) throw new Error(`README.md: no "| **${label}** ... | \`npm install ...\` |" row in the install table`);
  return command.trim().split(/\s+/);
}

/** The first ```ts block of the README (its first example). */
export function firstExample(): string {
  const code = /```ts\n([\s\S]*?)```/.exec(readme())?.[1];
  if (!code) throw new Error('README.md: no ```ts code block');
  return code;
}
