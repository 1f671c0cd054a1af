// Dependencies point one way (spec < core < plugins < backends < apps < tools): every import and
// every package.json dependency of every workspace is checked against the ranks in
// dependency-graph.ts, and no relative import may leave its package.
import { describe, expect, it } from 'vitest';
import { dependencyViolations, formatViolation, RANKS, specifiers, stripNonCode } from '@spikeflow/test-support/dependency-graph';
import { allWorkspaces, repoRoot } from '@spikeflow/test-support/workspaces';

describe('dependency direction', () => {
  it('every workspace has a rank and imports only what lies below it and is declared', () => {
    const workspaces = allWorkspaces();
    expect(workspaces.length).toBeGreaterThan(10);
    const lines = dependencyViolations(workspaces, repoRoot).map(formatViolation);
    if (lines.length) console.error(`${lines.length} dependency violations:\n${lines.join('\n')}`);
    expect(lines).toEqual([]);
  });

  it('@spikeflow/core names no spikeflow package but @spikeflow/spec', () => {
    const core = allWorkspaces().find((w) => w.pkg.name === '@spikeflow/core')!;
    const named = ['dependencies', 'peerDependencies', 'devDependencies', 'optionalDependencies'].flatMap((f) =>
      Object.keys((core.pkg as unknown as Record<string, Record<string, string> | undefined>)[f] ?? {}).filter((d) => d.startsWith('@spikeflow/')),
    );
    expect(named).toEqual(['@spikeflow/spec']);
  });

  it('finds every kind of import, and none in comments or template text', () => {
    const text = [
      "import a from '@spikeflow/a';",
      "import '@spikeflow/b';",
      "export { c } from '@spikeflow/c';",
      "const d = await import('@spikeflow/d');",
      "const e = require('@spikeflow/e');",
      "// import x from '@spikeflow/comment';",
      "const t = `import y from '@spikeflow/template' ${ `${'nested'}` } more`;",
      "import {",
      "  f,",
      "} from '../../f.js';",
    ].join('\n');
    expect(specifiers(text)).toEqual([
      { specifier: '@spikeflow/a', line: 1 },
      { specifier: '@spikeflow/b', line: 2 },
      { specifier: '@spikeflow/c', line: 3 },
      { specifier: '@spikeflow/d', line: 4 },
      { specifier: '@spikeflow/e', line: 5 },
      { specifier: '../../f.js', line: 10 },
    ]);
    expect(stripNonCode(text).split('\n')).toHaveLength(10);
  });

  it('ranks no package twice', () => {
    const all = RANKS.flatMap((r) => r.packages);
    expect(new Set(all).size).toBe(all.length);
  });
});
