// Packages as a user gets them: packed into tarballs and installed into a folder outside the
// repository. Shared by the tests of plugin packages written outside the monorepo and of the
// scaffolds, so each states only what it installs and runs.
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './workspaces.js';

/** The repository's TypeScript compiler, run with node in the installed folder. */
export const TSC = join(repoRoot, 'node_modules/typescript/bin/tsc');

/** Whether every named package (folder under packages/) has been built: packing ships dist/. */
export function packagesBuilt(packages: readonly string[]): boolean {
  return packages.every((p) => existsSync(join(repoRoot, 'packages', p, 'dist', 'index.js')));
}

/** Packs the named packages (folders under packages/) into `dest`, in one npm run; returns package name -> tarball path. */
export function packPackages(packages: readonly string[], dest: string): Record<string, string> {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dest, ...packages.map((p) => `--workspace=packages/${p}`)], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const packed = JSON.parse(out) as Array<{ name: string; filename: string }>;
  return Object.fromEntries(packed.map((p) => [p.name, join(dest, p.filename)]));
}

/**
 * Points a package.json's @spikeflow dependencies and devDependencies at the tarballs, as
 * written otherwise: a @spikeflow package that was not packed fails here, by name, as it would
 * be missing for a user.
 */
export function useTarballs(packageJson: string, tarballs: Record<string, string>): void {
  const pkg = JSON.parse(readFileSync(packageJson, 'utf8')) as Record<string, Record<string, string> | undefined>;
  for (const field of ['dependencies', 'devDependencies'] as const) {
    for (const name of Object.keys(pkg[field] ?? {}).filter((n) => n.startsWith('@spikeflow/'))) {
      if (!tarballs[name]) throw new Error(`${packageJson}: ${field} names ${name}, which was not packed: add it to the packages this test packs`);
      pkg[field]![name] = `file:${tarballs[name]}`;
    }
  }
  writeFileSync(packageJson, JSON.stringify(pkg, null, 2));
}

/** `npm install` in `dir` (quiet, offline where the cache allows), plus any packages named. */
export function npmInstall(dir: string, packages: readonly string[] = []): void {
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...packages], { cwd: dir, stdio: 'pipe' });
}

/** Runs `node ARGS` in `dir`, returning its status and output (no throw). */
export function runNode(dir: string, args: readonly string[], timeout = 300_000): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', timeout });
}
