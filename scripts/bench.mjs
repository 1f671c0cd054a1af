#!/usr/bin/env node
// Runs every benchmark script of the monorepo (packages/*/bench/*.bench.mjs, apps/*/bench/*.bench.mjs),
// each in its own process so one's memory and backend state cannot skew another's.
// Each script prints its own table and writes JSON under .tmp/bench-results/, or with --save under the
// committed bench-results/ that the README and docs render their tables from (npm run bench:tables).
// Usage: npm run bench [-- FILTER] [--save]   (FILTER: substring of the script path)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const save = process.argv.includes('--save');
const filter = process.argv.slice(2).find((a) => a !== '--save') ?? '';
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
let failed = 0;
for (const script of selected) {
  console.log(`\n=== ${relative(root, script)} ===`);
  const res = spawnSync(process.execPath, ['--expose-gc', script], {
    stdio: 'inherit',
    env: { ...process.env, ...(save ? { SPIKEFLOW_BENCH_SAVE: '1' } : {}) },
  });
  if (res.status !== 0) {
    failed++;
    console.error(`bench: ${relative(root, script)} exited with ${res.status}`);
  }
}
console.log(`\nbench: ${selected.length - failed} of ${selected.length} scripts ran; JSON in ${save ? 'bench-results/' : '.tmp/bench-results/'}`);
process.exit(failed ? 1 : 0);
