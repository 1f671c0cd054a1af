// Generates the API reference (markdown for VitePress, in api/) from the TSDoc of every package's
// public entry points, with typedoc, so it is rebuilt from the code on every site build.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Application } from 'typedoc';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Every workspace package with a library entry point ('.' or './node' exports with a source file). */
export function entryPackages() {
  const dirs = ['packages', 'apps'].flatMap((d) => readdirSync(join(root, d)).map((n) => join(d, n)));
  return dirs
    .filter((d) => existsSync(join(root, d, 'package.json')) && existsSync(join(root, d, 'src/index.ts')))
    .map((d) => ({ dir: d, name: JSON.parse(readFileSync(join(root, d, 'package.json'), 'utf8')).name }));
}

export async function makeApi(outDir) {
  const app = await Application.bootstrapWithPlugins({
    entryPoints: entryPackages().map((p) => join(root, p.dir)),
    entryPointStrategy: 'packages',
    packageOptions: { entryPoints: ['src/index.ts'], tsconfig: 'tsconfig.json', readme: 'none', excludePrivate: true, excludeInternal: true },
    plugin: ['typedoc-plugin-markdown', 'typedoc-vitepress-theme'],
    out: outDir,
    docsRoot: fileURLToPath(new URL('..', import.meta.url)),
    readme: 'none',
    name: 'API reference',
    entryFileName: 'index',
    // One page per package: a complete reference that builds in seconds, not one page per symbol.
    outputFileStrategy: 'modules',
    hidePageHeader: true,
    hideBreadcrumbs: false,
    useCodeBlocks: true,
    // Comments may contain text like <name>: escape it, or VitePress parses it as a Vue tag.
    sanitizeComments: true,
    excludeExternals: true,
    skipErrorChecking: true,
    logLevel: 'Warn',
    sidebar: { autoConfiguration: true, format: 'vitepress', pretty: false, collapsed: true },
  });
  const project = await app.convert();
  if (!project) throw new Error('make-api: typedoc could not convert the packages (see the messages above)');
  await app.generateOutputs(project);
  return entryPackages().map((p) => p.name);
}
