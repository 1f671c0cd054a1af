// Trains the built site's training demo in headless Chromium for a while and prints what it ran on
// and its images/s, to compare builds and browsers' backends. Several addresses (--query, repeated)
// run in turns for --rounds rounds, so a machine's changing load falls on each alike. Writes
// train-demo-browser.json with the machine, date and command: into .tmp/bench-results/, or with
// --save into the committed bench-results/ (the Benchmarks page renders its table from it).
// Usage: npx tsx docs/scripts/browser-train-rate.ts [--site DIR] [--seconds 40] [--webgpu]
//          [--query '?backend=wasm' ...] [--rounds 1] [--save]
//   --site     a built site (default docs/.vitepress/dist)
//   --webgpu   launch Chromium with WebGPU enabled (a software SwiftShader adapter on a machine without a GPU)
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
// @ts-expect-error: a plain .mjs module, no types
import { benchOutDir, machine, REPO_ROOT } from '@spikeflow/test-support/bench/record.mjs';
import { launch } from '../test/support/browser.js';
import { serveStatic } from '../test/support/static-server.js';
import { openTrainDemo, trainFor } from '../test/support/train-demo.js';

const { values } = parseArgs({
  options: {
    site: { type: 'string', default: fileURLToPath(new URL('../.vitepress/dist', import.meta.url)) },
    seconds: { type: 'string', default: '40' },
    webgpu: { type: 'boolean', default: false },
    query: { type: 'string', multiple: true, default: [''] },
    rounds: { type: 'string', default: '1' },
    save: { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
if (!(seconds > 0)) throw new Error(`--seconds: expected a positive number, got "${values.seconds}"`);
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds: expected a whole number, 1 or more, got "${values.rounds}"`);
for (const q of values.query!) if (q !== '' && !q.startsWith('?')) throw new Error(`--query: expected an address query starting with "?", got "${q}"`);

const server = await serveStatic(values.site!);
const browser = await launch(values.webgpu!);
const browserVersion = browser.version();
const runs = [];
try {
  const page = await browser.newPage();
  for (let round = 0; round < rounds; round++) {
    for (const query of values.query!) {
      const shown = await openTrainDemo(page, `${server.url}/demos/train${query}`);
      const notice = (await page.textContent('[data-testid=backend]'))?.replace(/\s+/g, ' ').trim();
      const run = { round, query, notice, ...shown, ...(await trainFor(page, seconds)), load: loadavg()[0] };
      console.log(JSON.stringify(run, null, 2));
      runs.push(run);
    }
  }
} finally {
  await browser.close();
  await server.close();
}
// The command as typed from the repository root, each --query quoted for the shell.
const quote = (a: string) => (/^[\w./=,-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`);
const command = ['npx tsx', relative(REPO_ROOT, fileURLToPath(import.meta.url)), ...process.argv.slice(2).map(quote)].join(' ');
const record = {
  machine: machine(),
  date: new Date().toISOString(),
  command,
  browser: `headless Chromium ${browserVersion}${values.webgpu ? ' with WebGPU enabled' : ''}`,
  webgpu: values.webgpu,
  seconds,
  rounds,
  runs,
};
const file = join(benchOutDir(values.save ? ['node', 'x', '--save'] : ['node', 'x'], process.env), 'train-demo-browser.json');
writeFileSync(file, JSON.stringify(record, null, 2) + '\n');
console.log(`wrote ${file}`);
