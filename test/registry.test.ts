// The release flow end to end, as a user meets it: `changeset version` on a copy of the repository,
// `changeset publish` to a real registry (Verdaccio on 127.0.0.1, uplink the public npm registry),
// then empty projects install from it exactly what the README says and run. The registry is stopped
// at the end (also when a step fails) and the test checks that no process or port is left.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleUnder, installPackages } from '@spikeflow/test-support/readme';
import { portOpen, processAlive, startRegistry, type Registry } from '@spikeflow/test-support/registry';
import { allWorkspaces, publicWorkspaces, readJson, repoRoot, type PackageJson } from '@spikeflow/test-support/workspaces';

const workspaces = publicWorkspaces();
const built = workspaces.every((w) => existsSync(join(w.dir, 'dist')));
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
// Generous: npm, the registry and its uplink set the pace, and a loaded 2-core machine is slow.
const STEP_TIMEOUT = 420_000;
const VITE = readJson(join(repoRoot, 'node_modules/vite/package.json')).version;
const run = promisify(execFile);

describe.skipIf(!built)('publish to a registry and install one package at a time', () => {
  if (!built) console.warn('registry test skipped: packages are not built; `npm test` builds them first (turbo run build), and CI runs it that way');

  const work = mkdtempSync(join(tmpdir(), 'spikeflow-registry-'));
  const repo = join(work, 'repo');
  let registry: Registry | undefined;
  let env: NodeJS.ProcessEnv = {};
  let version = '';

  /** npm with only this test's registry configured (npm run's npm_config_* are dropped). */
  const npm = async (args: string[], cwd: string, timeout = 400_000) => {
    try {
      return (await run('npm', args, { cwd, env, timeout, maxBuffer: 64 << 20 })).stdout;
    } catch (e) {
      const { stdout, stderr } = e as { stdout?: string; stderr?: string };
      throw new Error(`npm ${args.join(' ')} (in ${cwd}) failed:\n${stdout ?? ''}\n${stderr ?? ''}\nregistry log: ${registry?.logFile}`, { cause: e });
    }
  };
  const node = async (args: string[], cwd: string) => (await run(process.execPath, args, { cwd, env, timeout: 400_000, maxBuffer: 64 << 20 })).stdout;
  const changeset = (args: string[]) => node([join(repoRoot, 'node_modules/@changesets/cli/bin.js'), ...args], repo);
  const project = (name: string, extra: Partial<PackageJson> & Record<string, unknown> = {}) => {
    const dir = join(work, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module', ...extra }, null, 2));
    return dir;
  };
  const published = (dir: string) => readJson(join(dir, 'package.json'));

  // The three user projects install at once (the wait is mostly the registry and its uplink).
  const installs = new Map<string, Promise<string>>();
  const startInstall = (name: string, packages: string[], extra: Record<string, unknown> = {}) => {
    const dir = project(name, extra);
    const done = npm(['install', '--prefer-offline', '--loglevel=error', ...packages], dir).then(() => dir);
    done.catch(() => undefined); // reported by the test that awaits it
    installs.set(name, done);
  };
  const installed = (name: string) => {
    const done = installs.get(name);
    if (!done) throw new Error(`${name} was not installed: publishing failed first`);
    return done;
  };

  beforeAll(async () => {
    registry = await startRegistry(join(work, 'registry'));
    const userconfig = join(work, 'npmrc');
    writeFileSync(userconfig, `registry=${registry.url}\n${registry.authLine}\n`);
    env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
    Object.assign(env, { npm_config_registry: registry.url, npm_config_userconfig: userconfig, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' });

    // A copy of the repository with built packages: the release commands change files.
    mkdirSync(repo);
    for (const f of ['package.json', 'LICENSE', 'README.md', '.changeset']) cpSync(join(repoRoot, f), join(repo, f), { recursive: true });
    for (const w of allWorkspaces()) {
      // changesets reads every workspace's package.json; only published ones need their files.
      if (w.pkg.private) cpSync(join(w.dir, 'package.json'), join(repo, w.path, 'package.json'));
      else cpSync(w.dir, join(repo, w.path), { recursive: true, filter: (src) => !/\/(node_modules|\.turbo)$/.test(src) });
    }
    symlinkSync(join(repoRoot, 'node_modules'), join(repo, 'node_modules'));
  }, STEP_TIMEOUT);

  afterAll(async () => {
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
  }, STEP_TIMEOUT);

  it('changeset version: one new version for every package, internal ranges follow it', async () => {
    const before = workspaces.map((w) => w.pkg.version);
    writeFileSync(join(repo, '.changeset/registry-test-patch.md'), '---\n"@spikeflow/spec": patch\n---\n\nA patch release of the spec.\n');
    await changeset(['version']);
    const first = workspaces.map((w) => published(join(repo, w.path)));
    version = first[0].version;
    expect(new Set(first.map((p) => p.version))).toEqual(new Set([version]));
    expect(version).not.toBe(before[0]);
    expect(readFileSync(join(repo, 'packages/spec/CHANGELOG.md'), 'utf8')).toContain('A patch release of the spec.');

    // A minor change of one package: every package moves to the next minor (one fixed group),
    // dependents follow with ^, and internal peers ("*") cause no major bump.
    writeFileSync(join(repo, '.changeset/registry-test-minor.md'), '---\n"@spikeflow/neurons": minor\n---\n\nA new neuron.\n');
    await changeset(['version']);
    const [major, minor] = version.split('.').map(Number);
    const next = `${major}.${minor + 1}.0`;
    for (const w of workspaces) {
      const pkg = published(join(repo, w.path));
      expect(pkg.version, w.pkg.name).toBe(next);
      for (const [dep, range] of Object.entries(pkg.dependencies ?? {})) if (dep.startsWith('@spikeflow/')) expect(range, `${w.pkg.name} -> ${dep}`).toBe(`^${next}`);
      for (const [dep, range] of Object.entries(pkg.peerDependencies ?? {})) if (dep.startsWith('@spikeflow/')) expect(range, `${w.pkg.name} peer ${dep}`).toBe('*');
    }
    version = next;
  }, STEP_TIMEOUT);

  it('changeset publish: every package reaches the registry at that version', async () => {
    await changeset(['publish', '--no-git-tag']);
    for (const w of workspaces) {
      const res = await fetch(`${registry!.url}${w.pkg.name.replace('/', '%2f')}`);
      expect(res.status, w.pkg.name).toBe(200);
      const doc = (await res.json()) as { 'dist-tags': { latest: string }; versions: Record<string, { dependencies?: Record<string, string> }> };
      expect(doc['dist-tags'].latest, w.pkg.name).toBe(version);
    }
    startInstall('node-user', installPackages('Node'));
    startInstall('datasets-user', installPackages('Datasets'));
    if (existsSync(CHROMIUM)) startInstall('browser-user', [...installPackages('Browser'), `vite@${VITE}`], { scripts: { build: 'vite build' } });
  }, STEP_TIMEOUT);

  it('Node: installs the README\'s Node line into an empty project and trains the README\'s first example ("A model is data") on wasm', async () => {
    expect(installPackages('Node')).toEqual(expect.arrayContaining(['@spikeflow/core', '@spikeflow/neurons', '@spikeflow/backend-wasm']));
    const dir = await installed('node-user');
    expect(published(join(dir, 'node_modules/@spikeflow/core')).version).toBe(version);

    // The example leaves `images` and `labels` to the reader; the wasm backend comes from the install line.
    const prelude = `import * as tfPrelude from '@tensorflow/tfjs';
import '@spikeflow/backend-wasm';
await tfPrelude.setBackend('wasm');
const images = tfPrelude.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 7);
const labels = tfPrelude.tensor1d([0, 3, 5, 9], 'int32');
`;
    const report = `\nconsole.log('RESULT ' + JSON.stringify({ backend: tf.getBackend(), loss: (await loss.data())[0], rate: rate.shape }));\n`;
    writeFileSync(join(dir, 'example.mjs'), prelude + exampleUnder('A model is data') + report);
    const out = await node(['example.mjs'], dir);
    const result = JSON.parse(out.split('RESULT ')[1]);
    expect(result.backend).toBe('wasm');
    expect(Number.isFinite(result.loss)).toBe(true);
    expect(result.rate).toEqual([4, 10]);
    expect(out).toMatch(/neuron0: \{ w: -?\d.*tau: \d/);
  }, STEP_TIMEOUT);

  it('Datasets: installs @spikeflow/datasets alone and loads a generated IDX file', async () => {
    const dir = await installed('datasets-user');
    // Its registry and presets build on the model format and core (one PRNG, the batch types); no backend comes with it.
    expect(readdirNames(join(dir, 'node_modules/@spikeflow'))).toEqual(['core', 'datasets', 'spec']);

    // Three 28x28 images (MNIST's size) and their labels in the IDX format (big-endian header, then bytes).
    const data = join(dir, 'data');
    mkdirSync(data);
    const images = Buffer.concat([Buffer.from([0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 28, 0, 0, 0, 28]), Buffer.from([...Array(3 * 784).keys()].map((i) => i % 251))]);
    writeFileSync(join(data, 't10k-images-idx3-ubyte'), images);
    writeFileSync(join(data, 't10k-labels-idx1-ubyte'), Buffer.from([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 9]));
    const script = `import { loadIdxDataset } from '@spikeflow/datasets/node';
const set = await loadIdxDataset('mnist', { split: 'test', dir: './data' });
console.log(JSON.stringify({ count: set.count, height: set.height, width: set.width, labels: [...set.labels], last: set.images[3 * 784 - 1] }));`;
    writeFileSync(join(dir, 'load.mjs'), script);
    expect(JSON.parse(await node(['load.mjs'], dir))).toEqual({ count: 3, height: 28, width: 28, labels: [7, 2, 9], last: (3 * 784 - 1) % 251 });
  }, STEP_TIMEOUT);

  it.skipIf(!existsSync(CHROMIUM))('Browser: bundles the README\'s Browser line with Vite and trains a step on WebGPU in headless Chromium', async () => {
    const dir = await installed('browser-user');
    writeFileSync(join(dir, 'index.html'), '<!doctype html><html><body><script type="module" src="/main.js"></script></body></html>\n');
    writeFileSync(join(dir, 'main.js'), BROWSER_MAIN);
    await npm(['run', 'build', '--loglevel=error'], dir);

    const server = await serve(join(dir, 'dist'));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu'],
    });
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
      const result = await page.evaluate(() => (globalThis as unknown as { result: Promise<Record<string, unknown>> }).result);
      expect(result.error).toBeUndefined();
      expect(result.backend).toBe('webgpu');
      expect(Number.isFinite(result.loss)).toBe(true);
      expect(Object.keys(result.params as object)).toEqual(['neuron0', 'neuron1']);
    } finally {
      await browser.close();
      server.close();
    }
  }, STEP_TIMEOUT);

  it('stops the registry: no process and no open port left', async () => {
    const { pid, port } = registry!;
    await registry!.stop();
    expect(processAlive(pid)).toBe(false);
    expect(await portOpen(port)).toBe(false);
  }, STEP_TIMEOUT);
});

const readdirNames = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);

const BROWSER_MAIN = `import * as tf from '@tensorflow/tfjs';
import { build, use, Trainer } from '@spikeflow/core';
import { neurons, surrogates } from '@spikeflow/neurons';
import { pools } from '@spikeflow/pooling';
import { setup } from '@spikeflow/backend-webgpu';

use(neurons, surrogates, pools);
globalThis.result = (async () => {
  await setup();
  const net = build({
    input: { shape: [8, 8, 1] },
    timeSteps: 2,
    layers: [
      { kind: 'conv2d', filters: 4, kernelSize: 3, useBias: false },
      { kind: 'neuron', neuron: 'plif' },
      { kind: 'pool', pool: 'max', size: 2 },
      { kind: 'flatten' },
      { kind: 'dense', units: 10 },
      { kind: 'neuron', neuron: 'plif' },
    ],
  });
  const trainer = new Trainer(net, { optimizer: { kind: 'adam', learningRate: 0.01 } });
  const { loss } = trainer.trainStep(tf.randomUniform([4, 8, 8, 1]), tf.tensor1d([0, 1, 2, 3], 'int32'));
  return { backend: tf.getBackend(), loss: (await loss.data())[0], params: await net.neuronParameters() };
})().catch((e) => ({ error: String(e && e.stack || e) }));
`;

const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
function serve(root: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = join(root, req.url === '/' ? 'index.html' : decodeURIComponent((req.url ?? '/').split('?')[0]));
    if (!path.startsWith(root) || !existsSync(path)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': MIME[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
