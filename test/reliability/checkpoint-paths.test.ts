// A checkpoint is untrusted input (a download is enough): the files it names are read only inside
// its folder, only when they are regular files, and never past the size it declares.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, loadCheckpoint, saveCheckpoint } from '@spikeflow/core';
import '@spikeflow/core/node';
import { cpu } from '../setup.js';
import { assertBuilt } from './cli-support.js';
import { canWatchMemory, describeRun, runWatched } from './watch-support.js';
import { tinyTrainer } from './support.js';

const MB = 1024 * 1024;
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

interface Manifest {
  model: string;
  files: Record<string, { sha256: string; bytes: number }>;
  sha256: string;
}
const readJson = <T>(path: string) => JSON.parse(readFileSync(path, 'utf8')) as T;

/** A good checkpoint of the tiny network in a fresh folder. */
async function savedCheckpoint(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'spikeflow-paths-'));
  const { net, trainer } = tinyTrainer(3);
  await saveCheckpoint(net, `file://${dir}`, { trainer });
  trainer.dispose();
  net.dispose();
  return dir;
}

/** Rewrites manifest.json with `edit` applied and its own digest recomputed, as a forger would. */
function forgeManifest(dir: string, edit: (m: Manifest) => void): void {
  const { sha256: _old, ...body } = readJson<Manifest>(join(dir, 'manifest.json'));
  edit(body as Manifest);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...body, sha256: sha256(JSON.stringify(body)) }));
}

/** The weights file a manifest lists. */
const weightsOf = (dir: string) => Object.keys(readJson<Manifest>(join(dir, 'manifest.json')).files).find((f) => f.endsWith('.bin'))!;

/** Turns a checkpoint into the layout before manifests: model.json + weights-<hash>.bin. */
function toLegacy(dir: string, paths?: (weights: string) => string[]): void {
  const m = readJson<Manifest>(join(dir, 'manifest.json'));
  const model = readJson<{ weightsManifest: Array<{ paths: string[] }> }>(join(dir, m.model));
  if (paths) model.weightsManifest[0].paths = paths(model.weightsManifest[0].paths[0]);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(model));
  rmSync(join(dir, m.model));
  rmSync(join(dir, 'manifest.json'));
}

/** A name that reaches `target` from `dir` through `..`. */
const climbTo = (dir: string, target: string) => relative(dir, target);

async function loadError(dir: string): Promise<CheckpointError> {
  const e = await loadCheckpoint(`file://${dir}`).then((c) => c.network.dispose(), (err: unknown) => err);
  expect(e).toBeInstanceOf(CheckpointError);
  return e as CheckpointError;
}

const evalWatched = (dir: string) => runWatched(['eval', '--checkpoint', dir, '--backend', 'cpu']);

const hasProc = canWatchMemory;
if (!hasProc) console.warn('checkpoint-paths: no /proc here, so the resident-memory checks are skipped; they run on Linux (CI)');

describe('checkpoint files stay inside their folder', () => {
  beforeAll(async () => {
    await cpu();
    if (hasProc) assertBuilt();
  });

  it.skipIf(!hasProc)('a manifest naming /dev/zero through ../ is refused by eval in under 5 s and 500 MB', async () => {
    const dir = await savedCheckpoint();
    const zero = climbTo(dir, '/dev/zero');
    expect(zero).toMatch(/^(\.\.\/)+dev\/zero$/);
    forgeManifest(dir, (m) => (m.files[zero] = { sha256: '0'.repeat(64), bytes: 1e12 }));
    const r = await evalWatched(dir);
    console.log(`manifest naming /dev/zero: ${describeRun(r)}`);
    expect(r.killedBy, describeRun(r)).toBeUndefined();
    expect(r.code).toBe(1);
    // CPU time, not wall time: on a loaded machine the wall clock counts the wait for a core.
    expect(r.cpuMs).toBeLessThan(5000);
    expect(r.peakMB).toBeLessThan(500);
    expect(r.stderr).toContain(`names the file "${zero}", which is outside the checkpoint folder`);
  });

  it.skipIf(!hasProc)('a legacy model.json naming /dev/zero through ../ is refused by eval in under 5 s and 500 MB', async () => {
    const dir = await savedCheckpoint();
    const zero = climbTo(dir, '/dev/zero');
    toLegacy(dir, () => [zero]);
    const r = await evalWatched(dir);
    expect(r.killedBy, describeRun(r)).toBeUndefined();
    expect(r.code).toBe(1);
    expect(r.peakMB).toBeLessThan(500);
    expect(r.stderr).toContain(`model.json names the file "${zero}", which is outside the checkpoint folder`);
  });

  it('a legacy model.json naming ../etc/passwd is refused before reading it', async () => {
    const dir = await savedCheckpoint();
    const passwd = climbTo(dir, '/etc/passwd');
    toLegacy(dir, () => [passwd]);
    const e = await loadError(dir);
    expect(e.message).toContain(`names the file "${passwd}", which is outside the checkpoint folder`);
    expect(e.file).toBe(join(dir, 'model.json'));
  });

  it('a legacy model.json naming an absolute path or a sub-folder is refused', async () => {
    for (const name of ['/etc/passwd', 'sub/weights.bin']) {
      const dir = await savedCheckpoint();
      toLegacy(dir, () => [name]);
      expect((await loadError(dir)).message).toMatch(/is an absolute path|is in a sub-folder/);
    }
  });

  it('a manifest listing ../../etc/hostname with its real sha256 and size is refused', async () => {
    const hostname = readFileSync('/etc/hostname');
    const dir = await savedCheckpoint();
    const name = climbTo(dir, '/etc/hostname');
    forgeManifest(dir, (m) => (m.files[name] = { sha256: sha256(hostname), bytes: hostname.length }));
    const e = await loadError(dir);
    expect(e.message).toContain(`names the file "${name}", which is outside the checkpoint folder`);
  });

  it('a manifest whose model file is outside the folder is refused', async () => {
    const dir = await savedCheckpoint();
    const m = readJson<Manifest>(join(dir, 'manifest.json'));
    const outside = mkdtempSync(join(tmpdir(), 'spikeflow-paths-outside-'));
    renameSync(join(dir, m.model), join(outside, m.model));
    const name = climbTo(dir, join(outside, m.model));
    forgeManifest(dir, (f) => {
      f.files[name] = f.files[f.model];
      delete f.files[f.model];
      f.model = name;
    });
    expect((await loadError(dir)).message).toContain('which is outside the checkpoint folder');
  });

  it('a symbolic link in the checkpoint folder is refused, even to identical bytes', async () => {
    const dir = await savedCheckpoint();
    const weights = weightsOf(dir);
    const elsewhere = join(mkdtempSync(join(tmpdir(), 'spikeflow-paths-link-')), weights);
    renameSync(join(dir, weights), elsewhere);
    symlinkSync(elsewhere, join(dir, weights));
    const e = await loadError(dir);
    expect(e.message).toContain('is a symbolic link');
    expect(e.file).toBe(join(dir, weights));
  });

  it('a symbolic link as manifest.json is refused', async () => {
    const dir = await savedCheckpoint();
    const elsewhere = join(mkdtempSync(join(tmpdir(), 'spikeflow-paths-link-')), 'manifest.json');
    renameSync(join(dir, 'manifest.json'), elsewhere);
    symlinkSync(elsewhere, join(dir, 'manifest.json'));
    expect((await loadError(dir)).message).toContain('is a symbolic link');
  });

  it('a folder named as a checkpoint file is refused as not a regular file', async () => {
    const dir = await savedCheckpoint();
    const weights = weightsOf(dir);
    rmSync(join(dir, weights));
    mkdirSync(join(dir, weights));
    expect((await loadError(dir)).message).toContain('is not a regular file (a folder)');
  });

  it.skipIf(!hasProc)('a FIFO named as a checkpoint file is refused at once, not waited on', async () => {
    const dir = await savedCheckpoint();
    const weights = weightsOf(dir);
    rmSync(join(dir, weights));
    execFileSync('mkfifo', [join(dir, weights)]);
    const r = await evalWatched(dir);
    expect(r.killedBy, describeRun(r)).toBeUndefined();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is not a regular file (a FIFO)');
  });

  it.skipIf(!hasProc)('a weights file longer than the manifest declares is refused without reading it (1 GB sparse file)', async () => {
    const dir = await savedCheckpoint();
    const weights = weightsOf(dir);
    truncateSync(join(dir, weights), 1024 * MB);
    const r = await evalWatched(dir);
    expect(r.killedBy, describeRun(r)).toBeUndefined();
    expect(r.code).toBe(1);
    expect(r.peakMB).toBeLessThan(500);
    expect(r.stderr).toContain(`holds ${1024 * MB} bytes, manifest.json records`);
  });

  it('a legacy weights file longer than its model.json declares is refused', async () => {
    const dir = await savedCheckpoint();
    toLegacy(dir);
    const weights = readdirSync(dir).find((f) => f.endsWith('.bin'))!;
    truncateSync(join(dir, weights), 64 * MB);
    const e = await loadError(dir);
    expect(e.message).toContain(`holds ${64 * MB} bytes, the weights model.json describes take`);
  });

  it('a legacy checkpoint inside its folder still loads', async () => {
    const dir = await savedCheckpoint();
    toLegacy(dir);
    const loaded = await loadCheckpoint(`file://${dir}`);
    expect(loaded.meta.seed).toBe(3);
    loaded.network.dispose();
  });
});
