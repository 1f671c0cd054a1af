import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// NIR files written and read by h5wasm inside headless Chromium (scripts/browser-nir.mjs bundles
// browser/ from the built packages with vite).
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
const built = existsSync(join(root, 'dist/index.js'));
const ready = built && existsSync(chromium);
if (!ready) {
  console.warn(`browser NIR test skipped: ${built ? `no Chromium at ${chromium} (set CHROMIUM=PATH)` : 'packages are not built (npm test builds them first)'}; CI installs Debian's chromium and runs it`);
}

describe.skipIf(!ready)('NIR in the browser', () => {
  it('exports, imports and reads NIR files in headless Chromium', () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts/browser-nir.mjs'), '--chromium', chromium], { encoding: 'utf8', timeout: 180_000 });
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(result).toMatchObject({
      roundTripEqual: true,
      fixtureVersion: '1.0.7',
      fixtureChain: ['Input', 'Conv2d', 'LIF', 'SumPool2d', 'IF', 'Flatten', 'Affine', 'IF', 'Output'],
    });
    expect(result.userAgent).toMatch(/HeadlessChrome/);
  });
});
