// The scaffold writes a layer plugin package that builds and passes its own test.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { layerNames, scaffoldLayer } from '../src/index.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const built = ['core', 'spec', 'neurons', 'datasets', 'create-layer'].every((p) => existsSync(join(root, 'packages', p, 'dist', 'index.js')));
if (!built) console.warn('create-layer: the generated package\'s build and test skipped here: packages are not built (`npm test` builds them first)');
const work = mkdtempSync(join(tmpdir(), 'spikeflow-create-layer-'));

describe('names', () => {
  it('derives an identifier kind, its export and its spec type from the package name', () => {
    expect(layerNames('@me/spikeflow-layer-channel-gain')).toMatchObject({ folder: 'spikeflow-layer-channel-gain', kind: 'channelGain', exportName: 'channelGainLayer', specType: 'ChannelGainLayerSpec' });
    expect(layerNames('layer-gate').kind).toBe('gate');
    expect(layerNames('my.gate_x').kind).toBe('myGateX');
  });
  it('rejects a name npm would not accept, and one that gives no identifier', () => {
    expect(() => layerNames('My Layer')).toThrow('"My Layer" is not a valid npm package name');
    expect(() => layerNames('spikeflow-layer-2x')).toThrow('("2x") must start with a letter');
  });
});

describe('scaffoldLayer', () => {
  const dir = join(work, 'spikeflow-layer-channel-gain');
  it('writes the layer, a typed example spec, a test, a README and a changeset, and refuses a non-empty folder', () => {
    const r = scaffoldLayer({ name: 'spikeflow-layer-channel-gain', dir });
    expect(r.kind).toBe('channelGain');
    for (const f of ['package.json', 'tsconfig.json', 'src/index.ts', 'src/example.ts', 'test/layer.test.mjs', 'README.md', '.changeset/first-release.md', '.changeset/config.json']) expect(existsSync(join(dir, f)), f).toBe(true);
    const source = readFileSync(join(dir, 'src/index.ts'), 'utf8');
    expect(source).toContain("export const channelGainLayer = defineLayer({\n  kind: 'channelGain',");
    expect(source).toContain('interface LayerKinds {\n    channelGain: ChannelGainLayerSpec;');
    expect(readFileSync(join(dir, '.changeset/first-release.md'), 'utf8')).toContain('"spikeflow-layer-channel-gain": minor');
    // Every package the test imports is a devDependency (a user's `npm install` gets nothing else).
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const test = readFileSync(join(dir, 'test/layer.test.mjs'), 'utf8') + readFileSync(join(dir, 'src/example.ts'), 'utf8');
    const imported = new Set([...test.matchAll(/from '((?:@[^/']+\/)?[^/.'][^/']*)/g)].map((m) => m[1]).filter((s) => !s.startsWith('node:')));
    expect([...imported].sort()).toEqual(['@spikeflow/core', '@spikeflow/datasets', '@spikeflow/neurons', '@spikeflow/spec', '@tensorflow/tfjs']);
    for (const name of imported) expect(pkg.devDependencies[name], name).toBeDefined();
    expect(() => scaffoldLayer({ name: 'spikeflow-layer-channel-gain', dir })).toThrow('exists and is not empty');
  });
  it.skipIf(!built)('the package builds and its own test passes (against this repository\'s packages)', () => {
    // The monorepo's node_modules stands in for `npm install`: @spikeflow/* resolve to the built packages.
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
    expect(tsc.status, tsc.stdout).toBe(0);
    const test = spawnSync(process.execPath, ['--test', 'test/'], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
    expect(test.status, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toMatch(/# pass 3/);
    expect(test.stdout).toMatch(/# fail 0/);
  }, 600_000);
  it.skipIf(!built)('the bin: npm create @spikeflow/layer NAME runs it', () => {
    const bin = join(root, 'packages/create-layer/bin/create-layer.js');
    const into = join(work, 'cli');
    mkdirSync(into);
    const ok = spawnSync(process.execPath, [bin, '@me/layer-gate'], { cwd: into, encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('layer kind "gate"');
    expect(existsSync(join(into, 'layer-gate/src/index.ts'))).toBe(true);
    writeFileSync(join(into, 'layer-gate/keep'), '');
    const again = spawnSync(process.execPath, [bin, '@me/layer-gate'], { cwd: into, encoding: 'utf8' });
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('exists and is not empty');
    const bad = spawnSync(process.execPath, [bin], { cwd: into, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('give exactly one package name');
  });
});
