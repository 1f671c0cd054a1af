// The design rules of @spikeflow/core, checked on its sources: it names no backend (a backend
// package brings its provider and kernels), and its files import each other without a loop.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = new URL('../packages/core/src', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/** The code without comments (string literals stay: they are what must not name a backend). */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

describe('@spikeflow/core design rules', () => {
  const sources = files(src);

  it('names no backend outside comments', () => {
    const hits: string[] = [];
    for (const file of sources) {
      code(readFileSync(file, 'utf8')).split('\n').forEach((line, i) => {
        if (/['"`](cpu|wasm|webgpu|webgl|tensorflow)['"`]/.test(line)) hits.push(`${relative(src, file)}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(hits).toEqual([]);
  });

  it('has no import loop between its files', () => {
    const graph = new Map<string, string[]>();
    for (const file of sources) {
      const deps = [...readFileSync(file, 'utf8').matchAll(/(?:import|export)[^'"]*from\s+['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) =>
        resolve(dirname(file), m[1]).replace(/\.js$/, '.ts'),
      );
      graph.set(file, deps);
    }
    const loops: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        loops.push([...path.slice(path.indexOf(file)), file].map((f) => relative(src, f)).join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const dep of graph.get(file) ?? []) visit(dep, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of sources) visit(file, []);
    expect(graph.size).toBeGreaterThan(10);
    expect(loops).toEqual([]);
  });
});
