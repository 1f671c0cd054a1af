// The docs' lists of layer kinds come from the layer registry (scripts/layer-kinds.mjs, run by
// scripts/prepare.mjs): every registered kind is listed, a new one appears without editing a page,
// and no page keeps a list of its own.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { defineLayer, Registry } from '@spikeflow/core';
import { field } from '@spikeflow/spec';
import { isMerge, layerKindsTable, makeLayerKinds } from '../scripts/layer-kinds.mjs';

const docs = fileURLToPath(new URL('..', import.meta.url));
const repo = join(docs, '..');
/** The kind in each table row, in order. */
const rowKinds = (table: string) => [...table.matchAll(/^\| `([A-Za-z0-9_]+)` \|/gm)].map((m) => m[1]);

describe('the tables of layer kinds', () => {
  it('list every registered kind, in registration order, with its fields and defaults', () => {
    const registry = new Registry();
    const table = layerKindsTable(registry);
    expect(rowKinds(table)).toEqual([...registry.layers.keys()]);
    expect(rowKinds(table).length).toBeGreaterThanOrEqual(15);
    expect(table).toContain('| `dense` | fully connected layer on a flat input [features] | one | each step alone | `units`, `useBias = true` |');
    expect(table).toMatch(/\| `neuron` \|.*\| across steps \|.*the options of its neuron plugin \|/);
    expect(table).toMatch(/\| `attention` \|.*\| exactly 3 \|/);
  });

  it('follow the registry: a registered layer plugin gets its row', () => {
    const registry = new Registry().register(defineLayer({
      kind: 'leakyTrace',
      description: 'a leaky trace of its input',
      fields: { decay: field.number({ default: 0.5, description: 'share kept' }) },
      inputs: { min: 2, max: 4 },
      outputShape: ([input]) => input,
      stateless: false,
      build: () => ({ apply: (x) => tf.clone(x) }),
    }));
    const table = layerKindsTable(registry);
    expect(table).toContain('| `leakyTrace` | a leaky trace of its input | 2 to 4 | across steps | `decay = 0.5` |');
    expect(rowKinds(layerKindsTable(registry, isMerge))).toContain('leakyTrace');
  });

  it('are written where the pages include them: all kinds, and the merges', () => {
    const registry = new Registry();
    const out = mkdtempSync(join(tmpdir(), 'spikeflow-layer-kinds-'));
    expect(makeLayerKinds(out, registry)).toEqual([...registry.layers.keys()]);
    expect(rowKinds(readFileSync(join(out, 'layer-kinds.md'), 'utf8'))).toEqual([...registry.layers.keys()]);
    expect(rowKinds(readFileSync(join(out, 'merge-kinds.md'), 'utf8'))).toEqual(['add', 'and', 'attention', 'concat', 'iand']);
    const page = (p: string) => readFileSync(join(docs, p), 'utf8');
    expect(page('guides/spec-and-checkpoints.md')).toContain('<!--@include: ../generated/layer-kinds.md-->');
    expect(page('guides/graph-models.md')).toContain('<!--@include: ../generated/merge-kinds.md-->');
    expect(page('scripts/prepare.mjs')).toContain("makeLayerKinds(join(site, 'generated'))");
  });
});

describe('no page or README lists the layer kinds by hand', () => {
  // What each kind becomes in NIR is the NIR package's own table: the registry does not carry it.
  const EXEMPT = new Set(['packages/nir/README.md']);
  const kinds = [...new Registry().layers.keys()];
  const markdown = (dir: string): string[] =>
    readdirSync(join(repo, dir), { withFileTypes: true }).flatMap((e) => {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory()) return ['node_modules', 'api', 'generated', 'dist', '.vitepress', 'public'].includes(e.name) ? [] : markdown(path);
      return e.name.endsWith('.md') && e.name !== 'CHANGELOG.md' ? [path] : [];
    });
  const readmes = readdirSync(join(repo, 'packages')).map((p) => `packages/${p}/README.md`);
  const files = ['README.md', 'apps/train/README.md', ...markdown('docs'), ...readmes].filter((f) => !EXEMPT.has(f) && existsSync(join(repo, f)));

  it.each(files)('%s', (file) => {
    // A paragraph (or table) naming six or more kinds in backticks is a list that would go stale.
    for (const paragraph of readFileSync(join(repo, file), 'utf8').split(/\n\s*\n/)) {
      const named = new Set([...paragraph.matchAll(/`([A-Za-z0-9_]+)`/g)].map((m) => m[1]).filter((k) => kinds.includes(k)));
      expect(named.size, `${file}: a hand-kept list of layer kinds (${[...named].join(', ')}); include ../generated/layer-kinds.md or link to it`).toBeLessThan(6);
    }
  });
});
