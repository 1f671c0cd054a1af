#!/usr/bin/env node
// Exports, imports and reads NIR files in headless Chromium: bundles browser/ with vite (the built
// packages), serves it on 127.0.0.1 and drives the page with playwright-core. Prints one JSON line.
// Usage: node packages/nir/scripts/browser-nir.mjs [--chromium PATH]
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { URL, fileURLToPath } from 'node:url';
import { build } from 'vite';
import { chromium } from 'playwright-core';

const here = fileURLToPath(new URL('..', import.meta.url));
const i = process.argv.indexOf('--chromium');
const executablePath = i > 0 ? process.argv[i + 1] : (process.env.CHROMIUM ?? '/usr/bin/chromium');
const fixture = [...readFileSync(join(here, 'test/fixtures/conv_lif.nir'))];

const outDir = mkdtempSync(join(tmpdir(), 'spikeflow-nir-page-'));
await build({ root: join(here, 'browser'), logLevel: 'warn', build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 8192 } });

const types = { '.html': 'text/html', '.js': 'text/javascript' };
const server = createServer((req, res) => {
  const path = join(outDir, req.url === '/' ? 'index.html' : decodeURIComponent(req.url.split('?')[0]));
  if (!path.startsWith(outDir)) return res.writeHead(403).end();
  let body;
  try {
    body = readFileSync(path);
  } catch {
    return res.writeHead(404).end();
  }
  res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(body);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

const browser = await chromium.launch({
  executablePath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let code;
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForFunction(() => globalThis.pageReady === true, null, { timeout: 60_000 });
  const result = await page.evaluate((bytes) => globalThis.runNir(bytes), fixture);
  console.log(JSON.stringify(result));
  code = result.roundTripEqual ? 0 : 1;
} finally {
  await browser.close();
  server.close();
  rmSync(outDir, { recursive: true, force: true });
}
process.exit(code);
