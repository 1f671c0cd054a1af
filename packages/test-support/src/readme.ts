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

/** The first ```ts block under the README heading `## <heading>` (e.g. the first training example). */
export function exampleUnder(heading: string): string {
  const text = readme();
  const start = text.indexOf(`\n## ${heading}\n`);
  const code = start >= 0 ? /```ts\n([\s\S]*?)```/.exec(text.slice(start))?.[1] : undefined;
  if (!code) throw new Error(`README.md: no \`\`\`ts code block under "## ${heading}"`);
  return code;
}
