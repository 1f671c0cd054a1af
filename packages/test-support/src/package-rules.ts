// What every published spikeflow package.json must contain (the root README's "Adding a package"
// section says the same in prose). Each rule returns the problems it finds, worded for the author.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, type Workspace } from './workspaces.js';

const INTERNAL = /^@spikeflow\//;

export function packageProblems(w: Workspace, all: Workspace[]): string[] {
  const { pkg, dir } = w;
  const problems: string[] = [];
  const fail = (field: string, message: string) => problems.push(`${w.path}/package.json ${field}: ${message}`);

  if (!INTERNAL.test(pkg.name)) fail('name', `expected @spikeflow/<name>, got ${JSON.stringify(pkg.name)}`);
  if (pkg.license !== 'MIT') fail('license', `expected "MIT", got ${JSON.stringify(pkg.license)}`);
  const license = join(dir, 'LICENSE');
  if (!existsSync(license)) problems.push(`${w.path}/LICENSE: missing (copy the root LICENSE)`);
  else if (readFileSync(license, 'utf8') !== readFileSync(join(repoRoot, 'LICENSE'), 'utf8')) problems.push(`${w.path}/LICENSE: differs from the root LICENSE`);
  if (pkg.type !== 'module') fail('type', 'expected "module" (spikeflow ships ES modules only)');
  if (pkg.engines?.node !== '>=20') fail('engines.node', `expected ">=20", got ${JSON.stringify(pkg.engines?.node)}`);
  if (pkg.publishConfig?.access !== 'public') fail('publishConfig.access', 'expected "public" (scoped packages are private on npm otherwise)');
  if (typeof pkg.sideEffects !== 'boolean' && !Array.isArray(pkg.sideEffects)) fail('sideEffects', 'missing: false, or the files that register something on import');
  for (const f of ['dist', 'LICENSE']) if (!pkg.files?.includes(f)) fail('files', `must list "${f}"`);

  const exportsMap = pkg.exports ?? {};
  if (!exportsMap['.']) fail('exports', 'missing "."');
  if (!exportsMap['./package.json']) fail('exports', 'missing "./package.json": "./package.json"');
  for (const [subpath, target] of Object.entries(exportsMap)) {
    if (subpath === './package.json' || typeof target !== 'object' || target === null) continue;
    const conditions = Object.keys(target);
    const types = (target as Record<string, string>).types;
    if (!types?.endsWith('.d.ts')) fail(`exports["${subpath}"].types`, `expected a .d.ts file, got ${JSON.stringify(types)}`);
    if (!(target as Record<string, string>).import) fail(`exports["${subpath}"].import`, 'missing');
    if (conditions.indexOf('types') > conditions.indexOf('import')) fail(`exports["${subpath}"]`, '"types" must come before "import"');
  }

  // One version for all packages (changesets' fixed group) and internal ranges that follow it.
  const versions = new Set(all.map((o) => o.pkg.version));
  if (versions.size > 1) fail('version', `all packages share one version; found ${[...versions].join(', ')}`);
  const names = new Set(all.map((o) => o.pkg.name));
  for (const [dep, range] of Object.entries(pkg.dependencies ?? {})) {
    if (!INTERNAL.test(dep)) continue;
    if (!names.has(dep)) fail(`dependencies["${dep}"]`, 'not a published workspace');
    if (range !== `^${pkg.version}`) fail(`dependencies["${dep}"]`, `expected "^${pkg.version}" (changeset version keeps it in step), got ${JSON.stringify(range)}`);
  }
  // An internal peer with a semver range makes changesets bump the dependent's major on every
  // minor release; internal peers are optional add-ons, so they take any version.
  for (const [dep, range] of Object.entries(pkg.peerDependencies ?? {})) {
    if (!INTERNAL.test(dep)) continue;
    if (range !== '*') fail(`peerDependencies["${dep}"]`, `expected "*" for an internal peer, got ${JSON.stringify(range)}`);
    if (!pkg.peerDependenciesMeta?.[dep]?.optional) fail(`peerDependenciesMeta["${dep}"]`, 'an internal peer must be optional');
  }

  const readme = join(dir, 'README.md');
  if (!existsSync(readme)) problems.push(`${w.path}/README.md: missing`);
  else {
    const install = installLine(readFileSync(readme, 'utf8'));
    if (!install) problems.push(`${w.path}/README.md: its first code block must be the install line (npm install ${pkg.name} ..., or npm create for an initializer)`);
    else if (!installs(install, pkg.name)) problems.push(`${w.path}/README.md: the install line does not name ${pkg.name}: ${install}`);
  }
  return problems;
}

/** The `npm install ...` (or `npm create ...`) line of a README's first fenced code block. */
export function installLine(markdown: string): string | undefined {
  const block = /```[a-z]*\n([\s\S]*?)```/.exec(markdown)?.[1] ?? '';
  return block.split('\n').find((line) => /^npm (install|create) /.test(line.trim()))?.trim();
}

/** Whether the line installs `name`; `npm create @scope/x` runs the initializer @scope/create-x. */
function installs(line: string, name: string): boolean {
  const words = line.split(/\s+/);
  if (words[1] === 'create') return words[2]?.replace(/^(@[^/]+\/)?/, (scope) => `${scope}create-`) === name;
  return words.includes(name);
}
