// The one direction of dependencies, checked over every workspace: each workspace has a rank, and a
// package may name (import, or list in package.json) only packages of a lower rank that it declares.
// Relative imports stay inside their package. Violations read `file:line imports X (why)`.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Workspace } from './workspaces.js';

/** Ranks, lowest first. A workspace may depend only on workspaces of a lower rank. */
export const RANKS: ReadonlyArray<{ rank: string; packages: readonly string[] }> = [
  { rank: 'spec', packages: ['@spikeflow/spec'] },
  { rank: 'core', packages: ['@spikeflow/core'] },
  // Private helpers for tests and benches; they use spec and core only, so any package's tests may.
  { rank: 'test-support', packages: ['@spikeflow/test-support'] },
  { rank: 'plugins', packages: ['@spikeflow/neurons', '@spikeflow/pooling', '@spikeflow/datasets'] },
  // Built on the plugins below them: the catalogue's tests compare with LIF; packed inference runs
  // networks built from the neuron and pooling plugins.
  { rank: 'plugins+', packages: ['@spikeflow/neurons-extra', '@spikeflow/infer-packed'] },
  // NIR reads and writes through every neuron plugin's codec, CubaLIF's (neurons-extra) included.
  { rank: 'interchange', packages: ['@spikeflow/nir'] },
  { rank: 'backends', packages: ['@spikeflow/backend-cpu', '@spikeflow/backend-wasm', '@spikeflow/backend-webgpu', '@spikeflow/backend-node-gpu'] },
  { rank: 'apps', packages: ['@spikeflow/train'] },
  { rank: 'tools', packages: ['@spikeflow/conformance', '@spikeflow/create-neuron', '@spikeflow/create-layer'] },
  // The documentation site demonstrates everything, tools included.
  { rank: 'docs', packages: ['@spikeflow/docs'] },
];

const SCOPE = /^@spikeflow\/[a-z0-9-]+/;
const CODE_FILE = /\.(?:[cm]?[jt]s|tsx|vue)$/;
/** Built, generated or vendored folders: not the package's own code. */
const SKIP_DIRS = new Set(['node_modules', 'dist', 'public', 'cache', '.turbo', 'api']);
/** Folders whose files end up in the published package (they may use only dependencies and peers). */
const SHIPPED_DIRS = ['src', 'bin'];
const DEP_FIELDS = ['dependencies', 'peerDependencies', 'devDependencies', 'optionalDependencies'] as const;

export interface Violation {
  file: string;
  line: number;
  target: string;
  why: string;
}

export const formatViolation = (v: Violation) => `${v.file}:${v.line} imports ${v.target} (${v.why})`;

export function rankOf(name: string): { rank: string; index: number } | undefined {
  const index = RANKS.findIndex((r) => r.packages.includes(name));
  return index < 0 ? undefined : { rank: RANKS[index].rank, index };
}

/** Code with comments and template-literal text blanked (newlines kept, so line numbers hold). */
export function stripNonCode(text: string): string {
  let out = '';
  const templates: number[] = []; // brace depth at which each open `${` returns to its template
  let depth = 0;
  let i = 0;
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  const skipTemplateText = () => {
    // inside a template literal: until the closing backtick or the next `${`
    const start = i;
    while (i < text.length && text[i] !== '`' && !(text[i] === '$' && text[i + 1] === '{')) i += text[i] === '\\' ? 2 : 1;
    out += blank(text.slice(start, i));
    if (text[i] === '`') {
      out += '`';
      i++;
    } else if (i < text.length) {
      out += '${';
      i += 2;
      templates.push(depth);
    }
  };
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      out += blank(text.slice(i, stop));
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += blank(text.slice(i, stop));
      i = stop;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '`') {
      out += '`';
      i++;
      skipTemplateText();
    } else if (c === '{') {
      depth++;
      out += c;
      i++;
    } else if (c === '}') {
      if (templates.length && templates[templates.length - 1] === depth) {
        templates.pop();
        out += '}';
        i++;
        skipTemplateText();
      } else {
        depth--;
        out += c;
        i++;
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Every module specifier a file names: static and side-effect imports, `export from`, import(), require(). */
export function specifiers(text: string): Array<{ specifier: string; line: number }> {
  const code = stripNonCode(text);
  const patterns = [
    /\b(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*[,)]/g,
    /\brequire(?:\.resolve)?\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  const found: Array<{ specifier: string; line: number }> = [];
  for (const pattern of patterns) {
    for (const m of code.matchAll(pattern)) {
      const at = m.index + m[0].lastIndexOf(m[1]);
      found.push({ specifier: m[1], line: code.slice(0, at).split('\n').length });
    }
  }
  return found.sort((a, b) => a.line - b.line);
}

function codeFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    if (SKIP_DIRS.has(name)) return [];
    const path = join(dir, name);
    return statSync(path).isDirectory() ? codeFiles(path) : CODE_FILE.test(name) ? [path] : [];
  });
}

/** The line of package.json on which a dependency is listed (for the message). */
function lineOf(text: string, field: string, name: string): number {
  const start = text.indexOf(`"${field}"`);
  const at = text.indexOf(`"${name}"`, start < 0 ? 0 : start);
  return at < 0 ? 1 : text.slice(0, at).split('\n').length;
}

function direction(from: string, to: string): string | undefined {
  const a = rankOf(from);
  const b = rankOf(to);
  if (!a) return `${from} has no rank: add it to RANKS in packages/test-support/src/dependency-graph.ts`;
  if (!b) return `${to} has no rank: add it to RANKS in packages/test-support/src/dependency-graph.ts`;
  if (b.index < a.index) return undefined;
  return `${a.rank} ${a.index} -> ${b.rank} ${b.index}: ${b.index === a.index ? 'sideways' : 'upward'}`;
}

/** Every violation of the dependency rules in the given workspaces. */
export function dependencyViolations(workspaces: Workspace[], root: string): Violation[] {
  const violations: Violation[] = [];
  const names = new Set(workspaces.map((w) => w.pkg.name));
  for (const w of workspaces) {
    const pkgFile = join(w.path, 'package.json');
    const pkgText = readFileSync(join(w.dir, 'package.json'), 'utf8');
    const pkg = JSON.parse(pkgText) as Record<string, Record<string, string> | undefined>;
    const declared = (fields: readonly string[]) => new Set(fields.flatMap((f) => Object.keys(pkg[f] ?? {})));
    const shippable = declared(['dependencies', 'peerDependencies', 'optionalDependencies']);
    const any = declared(DEP_FIELDS);
    if (!rankOf(w.pkg.name)) violations.push({ file: pkgFile, line: 1, target: w.pkg.name, why: `${w.pkg.name} has no rank: add it to RANKS in packages/test-support/src/dependency-graph.ts` });
    for (const field of DEP_FIELDS) {
      for (const dep of Object.keys(pkg[field] ?? {})) {
        if (!dep.startsWith('@spikeflow/')) continue;
        const why = direction(w.pkg.name, dep);
        if (why && rankOf(w.pkg.name)) violations.push({ file: pkgFile, line: lineOf(pkgText, field, dep), target: dep, why: `${field}: ${why}` });
        else if (!names.has(dep)) violations.push({ file: pkgFile, line: lineOf(pkgText, field, dep), target: dep, why: `${field}: no workspace is named ${dep}` });
      }
    }
    for (const file of codeFiles(w.dir)) {
      const rel = relative(root, file);
      const shipped = !w.pkg.private && SHIPPED_DIRS.some((d) => relative(w.dir, file).startsWith(`${d}/`));
      for (const { specifier, line } of specifiers(readFileSync(file, 'utf8'))) {
        if (specifier.startsWith('.')) {
          const target = resolve(dirname(file), specifier);
          if (relative(w.dir, target).startsWith('..')) violations.push({ file: rel, line, target: specifier, why: `leaves ${w.path}: import the package by name` });
          continue;
        }
        const name = SCOPE.exec(specifier)?.[0];
        if (!name || name === w.pkg.name) continue;
        const why = direction(w.pkg.name, name);
        if (why) violations.push({ file: rel, line, target: specifier, why });
        else if (!(shipped ? shippable : any).has(name)) {
          const fields = shipped ? 'dependencies or peerDependencies' : 'its package.json';
          violations.push({ file: rel, line, target: specifier, why: `undeclared: add ${name} to ${fields} of ${w.path}` });
        }
      }
    }
  }
  return violations;
}
