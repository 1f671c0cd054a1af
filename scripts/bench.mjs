#!/usr/bin/env node
// Runs every benchmark script of the monorepo (packages/*/bench/*.bench.mjs, apps/*/bench/*.bench.mjs),
// each in its own process so one's memory and backend state cannot skew another's.
// Each script prints its own table and writes JSON under bench-results/.
// Usage: npm run bench [-- FILTER]   (FILTER: substring of the script path)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filter = process.argv[2] ?? '';
const scripts = [];
for (const group of ['packages', 'apps']) {
  const groupDir = join(root, group);
  if (!existsSync(groupDir)) continue;
  for (const pkg of readdirSync(groupDir).sort()) {
    const benchDir = join(groupDir, pkg, 'bench');
    if (!existsSync(benchDir)) continue;
    for (const file of readdirSync(benchDir).sort()) {
      if (file.endsWith('.bench.mjs')) scripts.push(join(benchDir, file));
    }
  }
}
const selected = scripts.filter((s) => relative(root, s).includes(filter));
if (selected.length === 0) {
  console.error(`bench: no benchmark script matches "${filter}" (looked for packages/*/bench/*.bench.mjs)`);
  process.exit(1);
}
mkdirSync(join(root, 'bench-results'), { recursive: true });
let failed = 0;
for (const script of selected) {
  console.log(`\n=== ${relative(root, script)} ===`);
  const res = spawnSync(process.execPath, ['--expose-gc', script], {
    stdio: 'inherit',
    env: { ...process.env, SPIKEFLOW_BENCH_OUT: join(root, 'bench-results') },
  });
  if (res.status !== 0) {
    failed++;
    console.error(`bench: ${relative(root, script)} exited with ${res.status}`);
  }
}
console.log(`\nbench: ${selected.length - failed} of ${selected.length} scripts ran; JSON in bench-results/`);
process.exit(failed ? 1 : 0);
