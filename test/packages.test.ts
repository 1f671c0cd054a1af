// Every published package: package.json rules (@spikeflow/test-support's package-rules.ts), publint and
// arethetypeswrong on the tarball npm would publish. New workspaces are covered without editing this.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageProblems } from '@spikeflow/test-support/package-rules';
import { publicWorkspaces, repoRoot, tarballName } from '@spikeflow/test-support/workspaces';

const workspaces = publicWorkspaces();
const built = workspaces.every((w) => existsSync(join(w.dir, 'dist')));
const attwBin = join(repoRoot, 'node_modules/@arethetypeswrong/cli/dist/index.js');

describe('package metadata', () => {
  it('covers every published workspace', () => {
    expect(workspaces.map((w) => w.pkg.name)).toEqual(expect.arrayContaining(['@spikeflow/spec', '@spikeflow/core', '@spikeflow/neurons']));
  });
  it.each(workspaces.map((w) => [w.pkg.name, w] as const))('%s: package.json, LICENSE and README install line', (_, w) => {
    expect(packageProblems(w, workspaces)).toEqual([]);
  });
});

describe.skipIf(!built)('publint and arethetypeswrong on the packed tarballs', () => {
  if (!built) console.warn('publint/attw skipped: packages are not built; `npm test` builds them first (turbo run build), and CI runs it that way');
  const packDir = mkdtempSync(join(tmpdir(), 'spikeflow-lint-'));
  const tarball = (name: string) => join(packDir, tarballName(workspaces.find((w) => w.pkg.name === name)!.pkg));

  beforeAll(() => {
    const args = workspaces.flatMap((w) => ['-w', w.path]);
    execFileSync('npm', ['pack', ...args, '--pack-destination', packDir, '--loglevel=error'], { cwd: repoRoot, stdio: 'pipe' });
  });
  afterAll(() => rmSync(packDir, { recursive: true, force: true }));

  it.each(workspaces.map((w) => [w.pkg.name, w] as const))('%s: publint reports no error or warning', async (name) => {
    const data = readFileSync(tarball(name));
    const { messages, pkg } = await publint({ pack: { tarball: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer }, level: 'warning' });
    expect(messages.map((m) => `${m.type}: ${formatMessage(m, pkg, { color: false })}`)).toEqual([]);
  });

  // ES modules only, so the esm-only profile: node10 and require() resolutions are not expected to work.
  it.concurrent.each(workspaces.map((w) => [w.pkg.name] as const))('%s: arethetypeswrong finds no problem', async (name) => {
    const run = promisify(execFile);
    const result = await run(process.execPath, [attwBin, tarball(name), '--profile', 'esm-only', '--format', 'ascii', '--no-color', '--no-emoji'], { cwd: repoRoot }).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
    );
    expect(result.out, result.out).toContain('node16 (from ESM)');
    expect(result.code, result.out).toBe(0);
  });
});
