// Trains the built site's training demo in headless Chromium for a while and prints what it ran on
// and its images/s, to compare builds and browsers' backends.
// Usage: npx tsx docs/scripts/browser-train-rate.ts [--site DIR] [--seconds 40] [--webgpu] [--query '?backend=wasm']
//   --site     a built site (default docs/.vitepress/dist)
//   --webgpu   launch Chromium with WebGPU enabled (a software SwiftShader adapter on a machine without a GPU)
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { launch } from '../test/support/browser.js';
import { serveStatic } from '../test/support/static-server.js';
import { openTrainDemo, trainFor } from '../test/support/train-demo.js';

const { values } = parseArgs({
  options: {
    site: { type: 'string', default: fileURLToPath(new URL('../.vitepress/dist', import.meta.url)) },
    seconds: { type: 'string', default: '40' },
    webgpu: { type: 'boolean', default: false },
    query: { type: 'string', default: '' },
  },
});
const seconds = Number(values.seconds);
if (!(seconds > 0)) throw new Error(`--seconds: expected a positive number, got "${values.seconds}"`);
const server = await serveStatic(values.site!);
const browser = await launch(values.webgpu!);
try {
  const page = await browser.newPage();
  const shown = await openTrainDemo(page, `${server.url}/demos/train${values.query}`);
  const notice = (await page.textContent('[data-testid=backend]'))?.replace(/\s+/g, ' ').trim();
  const run = await trainFor(page, seconds);
  console.log(JSON.stringify({ site: values.site, webgpu: values.webgpu, query: values.query, notice, ...shown, ...run, load: loadavg()[0] }, null, 2));
} finally {
  await browser.close();
  await server.close();
}
