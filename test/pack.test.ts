// Each package installs on its own from its npm tarball into an empty folder, and works there.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const PACKAGES = ['spec', 'core', 'neurons', 'neurons-extra', 'pooling', 'datasets', 'infer-packed', 'backend-cpu', 'backend-webgpu', 'backend-wasm', 'backend-node-gpu', 'nir', 'conformance'];
const APPS = ['train'];
const dirOf = (p: string) => join(root, APPS.includes(p) ? 'apps' : 'packages', p);
const built = [...PACKAGES, ...APPS].every((p) => existsSync(join(dirOf(p), 'dist', 'index.js')));

describe.skipIf(!built)('npm pack + install into an empty folder', () => {
  if (!built) console.warn('pack test skipped: packages are not built; `npm test` builds them first (turbo run build), and CI runs it that way');

  const work = mkdtempSync(join(tmpdir(), 'spikeflow-pack-'));
  const app = join(work, 'app');

  it('packs each package with its dist and types, without tests', () => {
    for (const p of [...PACKAGES, ...APPS]) {
      const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: dirOf(p), encoding: 'utf8' });
      const [info] = JSON.parse(out) as Array<{ files: Array<{ path: string }> }>;
      const files = info.files.map((f) => f.path);
      expect(files).toContain('dist/index.js');
      expect(files).toContain('dist/index.d.ts');
      expect(files.some((f) => f.startsWith('test/'))).toBe(false);
    }
  });

  it('installs the tarballs and @tensorflow/tfjs into an empty project', () => {
    mkdirSync(app, { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    const tarballs = [...PACKAGES, ...APPS].map((p) => join(work, `spikeflow-${p}-0.0.0.tgz`));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs, '@tensorflow/tfjs@4.22.0'], { cwd: app, stdio: 'pipe' });
    expect(existsSync(join(app, 'node_modules/@spikeflow/core/dist/index.js'))).toBe(true);
  });

  it('spec alone imports with no runtime dependency; the layer kinds and validate() with them come from core', () => {
    const pkg = JSON.parse(readFileSync(join(app, 'node_modules/@spikeflow/spec/package.json'), 'utf8'));
    expect(pkg.dependencies ?? {}).toEqual({});
    const spec = "{ input: { shape: [4] }, layers: [{ kind: 'dense', units: 2 }] }";
    const alone = execFileSync('node', ['--input-type=module', '-e', `import { check } from '@spikeflow/spec'; console.log(check(${spec})[0].message)`], { cwd: app, encoding: 'utf8' });
    expect(alone.trim()).toMatch(/^unknown layer kind "dense": no layer kinds are known here: .*@spikeflow\/core's validate/);
    const withCore = execFileSync('node', ['--input-type=module', '-e', `import { validate } from '@spikeflow/core'; console.log(validate(${spec}).timeSteps)`], { cwd: app, encoding: 'utf8' });
    expect(withCore.trim()).toBe('8');
    const schema = JSON.parse(readFileSync(join(app, 'node_modules/@spikeflow/spec/dist/model-v1.schema.json'), 'utf8'));
    expect(schema.properties.layers.items.oneOf.map((k: { properties: { kind: { const: string } } }) => k.properties.kind.const)).toContain('dense');
  });

  it('builds and trains a PLIF network from the installed packages', () => {
    const script = `
      import * as tf from '@tensorflow/tfjs';
      import { build, use, Trainer } from '@spikeflow/core';
      import { syntheticDataset } from '@spikeflow/datasets';
      import { neurons, surrogates } from '@spikeflow/neurons';
      import { pools } from '@spikeflow/pooling';
      await tf.setBackend('cpu');
      use(neurons, surrogates, pools);
      const net = build({ input: { shape: [8, 8, 1] }, timeSteps: 2, layers: [
        { kind: 'conv2d', filters: 2, kernelSize: 3 }, { kind: 'neuron', neuron: 'plif' }, { kind: 'pool', pool: 'max' },
        { kind: 'flatten' }, { kind: 'dense', units: 4 }, { kind: 'neuron', neuron: 'plif' }] });
      const { x, labels } = syntheticDataset({ numClasses: 4, shape: [8, 8, 1], samples: 4 });
      const t = new Trainer(net, { optimizer: { kind: 'adam', learningRate: 0.1 } });
      for (let i = 0; i < 3; i++) t.trainStep(x, labels);
      console.log('RESULT ' + JSON.stringify(await net.neuronParameters()));`;
    const out = execFileSync('node', ['--input-type=module', '-e', script], { cwd: app, encoding: 'utf8' });
    const params = JSON.parse(out.split('RESULT ')[1]);
    expect(Object.keys(params)).toEqual(['neuron0', 'neuron1']);
    expect(params.neuron1.w).not.toBe(0);
  });

  it('runs the spikeflow CLI from the installed @spikeflow/train', () => {
    const bin = join(app, 'node_modules/.bin/spikeflow');
    const r = spawnSync(bin, ['train', '--preset', 'synthetic', '--time-steps', '1', '--batch-size', '4', '--train-limit', '8', '--test-limit', '8'], { cwd: app, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/epoch 3\/3 .* tau: neuron0/);
    const bad = spawnSync(bin, ['train', '--epochs', 'zero'], { cwd: app, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--epochs: expected an integer >= 1, got "zero"');
  });

  it('imports a NIR file with the installed CLI (h5wasm from the tarball install)', () => {
    const bin = join(app, 'node_modules/.bin/spikeflow');
    const nir = join(root, 'packages/nir/test/fixtures/conv_lif.nir');
    const r = spawnSync(bin, ['import', nir, '--out', join(work, 'imported'), '--dt', '0.001'], { cwd: app, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('conv2d -> neuron(lif) -> pool(max) -> flatten -> dense -> neuron(if)');
  });

  it('ships spikeflow-conformance: passes the reference vectors, exits non-zero on a mismatch', () => {
    const bin = join(app, 'node_modules/.bin/spikeflow-conformance');
    const vectors = join(root, 'test/fixtures/neuron_vectors.json');
    const ok = spawnSync(bin, ['--vectors', vectors, '--backend', 'cpu'], { cwd: app, encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^PASS {2}plif-paper .*dL\/dp/m);
    expect(ok.stdout).toContain('5 passed, 0 failed');

    const broken = JSON.parse(readFileSync(vectors, 'utf8'));
    broken.cases[0].gradW *= 1.01;
    broken.cases[4].v[3][5] += 1e-3;
    const brokenPath = join(work, 'broken.json');
    writeFileSync(brokenPath, JSON.stringify(broken));
    const bad = spawnSync(bin, ['--vectors', brokenPath], { cwd: app, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/^FAIL {2}plif-paper .*dL\/dw .* beyond relative 0.0001/m);
    expect(bad.stdout).toMatch(/^FAIL {2}if-atan .*v beyond/m);
    expect(bad.stdout).toContain('3 passed, 2 failed');

    const missing = spawnSync(bin, ['--vectors', join(work, 'nope.json')], { cwd: app, encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--vectors: cannot read .*nope.json/);
    const noBackend = spawnSync(bin, ['--vectors', vectors, '--backend', 'tpu'], { cwd: app, encoding: 'utf8' });
    expect(noBackend.status).toBe(2);
    expect(noBackend.stderr).toMatch(/--backend tpu: needs the package @spikeflow\/backend-tpu/);
  });
});
