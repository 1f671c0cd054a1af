// A built-in layer kind is one file in src/layer-kinds/ and one export line in its index.ts: the
// registry, validation, JSON Schema, summary, memory estimate and NIR export all read the kind from
// there, so adding a kind touches nothing else.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinLayers, Registry, type LayerPlugin } from '../src/index.js';

const dir = new URL('../src/layer-kinds/', import.meta.url);
const kindFiles = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'index.ts').sort();
const index = readFileSync(new URL('index.ts', dir), 'utf8');
const code = index.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('//'));
const EXPORT_LINE = /^export \{ (\w+)(?:, type \w+)* \} from '\.\/([\w-]+)\.js';$/;

describe('built-in layer kinds', () => {
  it('index.ts is one export line per file, and nothing else', () => {
    const bad = code.filter((l) => !EXPORT_LINE.test(l));
    expect(bad, 'lines of src/layer-kinds/index.ts that are not `export { kind, type KindLayerSpec } from \'./kind.js\';`').toEqual([]);
    const files = code.map((l) => `${EXPORT_LINE.exec(l)![2]}.ts`).sort();
    expect(files, 'each file in src/layer-kinds/ has exactly one export line').toEqual(kindFiles);
  });

  it.each(kindFiles)('%s declares its whole kind: spec half, runtime half and its type for ModelSpec', async (file) => {
    const name = EXPORT_LINE.exec(code.find((l) => l.includes(`'./${file.replace(/\.ts$/, '')}.js'`))!)![1];
    const source = readFileSync(new URL(file, dir), 'utf8');
    const plugin = (await import(`../src/layer-kinds/${file.replace(/\.ts$/, '.js')}`))[name] as LayerPlugin;
    expect(plugin.type).toBe('layer');
    expect(typeof plugin.outputShape).toBe('function');
    expect(typeof plugin.build).toBe('function');
    expect(source).toMatch(new RegExp(`declare module '@spikeflow/spec' \\{\\s*interface LayerKinds \\{\\s*${plugin.kind}: \\w+LayerSpec;`));
    expect(builtinLayers).toContain(plugin);
  });

  it('every registered built-in comes from such a file, listed by kind', () => {
    expect(builtinLayers).toHaveLength(kindFiles.length);
    const kinds = builtinLayers.map((k) => k.kind);
    expect(kinds).toEqual([...kinds].sort());
    expect([...new Registry().layers.keys()]).toEqual(kinds);
  });
});
