#!/usr/bin/env node
// Runs the neuron conformance vectors in headless Chromium's WebGPU: bundles browser/ with vite (the
// built packages), serves it on 127.0.0.1 (a secure context) and drives the page with playwright-core.
// Usage: node packages/backend-webgpu/scripts/browser-conformance.mjs [--vectors FILE] [--chromium PATH]
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { URL, fileURLToPath } from 'node:url';
import { build } from 'vite';
import { chromium } from 'playwright-core';

const here = fileURLToPath(new URL('..', import.meta.url));
const opt = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const vectorsPath = opt('vectors', join(here, '../../test/fixtures/neuron_vectors.json'));
const executablePath = opt('chromium', process.env.CHROMIUM ?? '/usr/bin/chromium');
const vectors = JSON.parse(readFileSync(vectorsPath, 'utf8'));

const outDir = mkdtempSync(join(tmpdir(), 'spikeflow-webgpu-page-'));
await build({ root: join(here, 'browser'), logLevel: 'warn', build: { outDir, emptyOutDir: true, target: 'es2022' } });

const types = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json' };
const server = createServer((req, res) => {
  const path = join(outDir, req.url === '/' ? 'index.html' : decodeURIComponent(req.url.split('?')[0]));
  if (!path.startsWith(outDir)) return res.writeHead(403).end();
  try {
    const body = readFileSync(path);
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({
  executablePath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu'],
});
let failed = 0;
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await page.goto(url);
  await page.waitForFunction(() => globalThis.pageReady === true);
  const { adapter, backend, results } = await page.evaluate((v) => globalThis.runConformance(v), vectors);
  console.log(`browser webgpu conformance on ${[adapter.vendor, adapter.architecture, adapter.description].filter(Boolean).join(' / ')} (${adapter.software ? 'software' : 'hardware'}), backend ${backend}`);
  for (const r of results) {
    console.log(`${r.pass ? 'PASS' : 'FAIL'}  ${r.name.padEnd(24)} v ${r.v.toExponential(2)}  dL/dx ${r.gradX.toExponential(2)}  dL/dw ${r.gradW?.toExponential(2) ?? '-'}  [${r.ran}]${r.pass ? '' : '  ' + r.failures.join('; ')}`);
    if (!r.pass) failed++;
  }
  console.log(`${results.length - failed} passed, ${failed} failed`);
} finally {
  await browser.close();
  server.close();
  rmSync(outDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
