// The workspaces that are published to npm: every non-private package the root package.json's
// "workspaces" names, so checks and the registry test cover a new package without being edited.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  type?: string;
  sideEffects?: boolean | string[];
  exports?: Record<string, unknown>;
  files?: string[];
  engines?: Record<string, string>;
  publishConfig?: Record<string, string>;
  bin?: string | Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  workspaces?: string[];
}

export interface Workspace {
  /** Absolute path of the package folder. */
  dir: string;
  /** Path relative to the repository root, e.g. packages/core. */
  path: string;
  pkg: PackageJson;
}

export const repoRoot = new URL('../../..', import.meta.url).pathname.replace(/\/$/, '');

export const readJson = <T = PackageJson>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/** Every workspace folder (only `dir/*` globs and plain folders occur in the root package.json). */
export function allWorkspaces(root = repoRoot): Workspace[] {
  const patterns = readJson(join(root, 'package.json')).workspaces ?? [];
  const paths = patterns.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = pattern.slice(0, -2);
    if (!existsSync(join(root, parent))) return [];
    return readdirSync(join(root, parent), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => `${parent}/${e.name}`);
  });
  return paths
    .filter((path) => existsSync(join(root, path, 'package.json')))
    .sort()
    .map((path) => ({ dir: join(root, path), path, pkg: readJson(join(root, path, 'package.json')) }));
}

/** The workspaces published to npm (not "private"). */
export const publicWorkspaces = (root = repoRoot): Workspace[] => allWorkspaces(root).filter((w) => !w.pkg.private);

/** npm pack's file name for a package: @scope/name@1.2.3 -> scope-name-1.2.3.tgz. */
export const tarballName = (pkg: Pick<PackageJson, 'name' | 'version'>): string => `${pkg.name.replace(/^@/, '').replace('/', '-')}-${pkg.version}.tgz`;
