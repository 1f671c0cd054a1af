// The run folder (--out): found from --resume, locked against a second run, named when it cannot be
// written, and its metrics.jsonl read with errors that name the line.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, metricsEpochs, runCli, start, TINY } from './cli-support.js';

const temp = () => mkdtempSync(join(tmpdir(), 'spikeflow-runfolder-'));
const LOCK = 'spikeflow.lock';
const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { epoch: number; step: number; metricsLines: number };
const weightsFile = (dir: string) => readdirSync(dir).find((f) => /^weights-[0-9a-f]+\.bin$/.test(f));
const without = (args: string[], ...flags: string[]) => args.filter((a, i, all) => !flags.includes(a) && !flags.includes(all[i - 1]));

/** A finished two-epoch run; each test copies it. */
let base = '';
function copyOfBase(): string {
  const out = temp();
  cpSync(base, out, { recursive: true });
  return out;
}

describe('run folders', () => {
  beforeAll(async () => {
    assertBuilt();
    base = temp();
    const r = await runCli(['train', ...TINY, '--epochs', '2', '--out', base]);
    expect(r.code, r.stderr).toBe(0);
  }, 300_000);

  it('--resume DIR/last without --out continues in DIR: metrics, checkpoints and report written there', async () => {
    const out = copyOfBase();
    const r = await runCli(['train', ...without(TINY, '--no-report'), '--epochs', '3', '--resume', join(out, 'last')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`--resume ${join(out, 'last')} without --out: continuing in its run folder ${out}`);
    expect(metricsEpochs(out)).toEqual([1, 2, 3]);
    expect(manifest(join(out, 'last'))).toMatchObject({ epoch: 2, metricsLines: 3 });
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  });

  it('--resume of a checkpoint that is not a run folder\'s last/ without --out is refused (exit 2), nothing trained', async () => {
    const out = copyOfBase();
    const best = await runCli(['train', ...TINY, '--epochs', '3', '--resume', join(out, 'best')]);
    expect(best.code).toBe(2);
    expect(best.stderr).toContain(`--resume ${join(out, 'best')} without --out: it is not the last/ checkpoint of a run folder, so where to write is ambiguous; give --out DIR`);
    const loose = temp();
    cpSync(join(out, 'last'), join(loose, 'last'), { recursive: true });
    const r = await runCli(['train', ...TINY, '--epochs', '3', '--resume', join(loose, 'last')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${loose} holds no metrics.jsonl or run.json, so it is not a run folder`);
    expect(r.stdout).not.toMatch(/^epoch /m);
    expect(metricsEpochs(out)).toEqual([1, 2]);
  });

  it('two concurrent runs into one folder: the second is refused naming the first one\'s pid; the lock goes with the first', async () => {
    const out = temp();
    let firstStarted!: () => void;
    const started = new Promise<void>((resolve) => (firstStarted = resolve));
    const first = start(['train', ...TINY, '--epochs', '100', '--out', out], (line) => {
      if (/^epoch 1\/100 /.test(line)) firstStarted();
    });
    await started;
    const holder = JSON.parse(readFileSync(join(out, LOCK), 'utf8')) as { pid: number };
    expect(holder.pid).toBe(first.child.pid);
    const second = await runCli(['train', ...TINY, '--epochs', '2', '--out', out]);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`^spikeflow: --out ${out}: another run \\(pid ${first.child.pid}, started [^)]+\\) is writing to this folder`));
    expect(second.stdout).not.toMatch(/^epoch /m);
    first.child.kill('SIGTERM');
    const r = await first.done;
    expect(r.code, r.stderr).toBe(143);
    expect(existsSync(join(out, LOCK))).toBe(false);
    // The folder holds the first run's epochs alone, each once.
    const epochs = metricsEpochs(out);
    expect(epochs).toEqual(Array.from({ length: epochs.length }, (_, i) => i + 1));
  }, 120_000);

  it('a stale lock (its pid gone) is taken over with a message; the lock is released after a run error too', async () => {
    const out = copyOfBase();
    // A pid that ran and ended.
    const gone = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).toString());
    writeFileSync(join(out, LOCK), JSON.stringify({ pid: gone, host: (await import('node:os')).hostname(), started: '2026-01-01T00:00:00.000Z' }));
    const r = await runCli(['train', ...TINY, '--epochs', '3', '--out', out, '--resume', join(out, 'last')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`--out ${out}: taking over the lock of pid ${gone}, which no longer runs`);
    expect(existsSync(join(out, LOCK))).toBe(false);
    const diverged = await runCli(['train', ...TINY, '--epochs', '4', '--out', out, '--resume', join(out, 'last'), '--lr', '1e308']);
    expect(diverged.code).toBe(1);
    expect(existsSync(join(out, LOCK))).toBe(false);
  });

  it('a mid-epoch checkpoint resumed with another --batch-size: the epoch finishes at its own size, no sample twice, none skipped', async () => {
    const args = ['train', ...without(TINY, '--train-limit', '--batch-size', '--progress'), '--train-limit', '64', '--progress', 'lines', '--epochs', '2'];
    const out = temp();
    let sent = false;
    const stopped = await start([...args, '--batch-size', '8', '--out', out], (line, child) => {
      if (!sent && /^ {2}epoch 1\/2 {2}\d+\/64/.test(line)) {
        sent = true;
        child.kill('SIGINT');
      }
    }).done;
    expect(stopped.code, stopped.stderr).toBe(130);
    const trained = Number(/interrupted in epoch 1\/2 after (\d+) batches/.exec(stopped.stdout)![1]);
    expect(trained).toBeLessThan(8);
    const r = await runCli([...args, '--batch-size', '16', '--resume', join(out, 'last')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`the checkpoint was saved mid-epoch at batch size 8: epoch 1 finishes at that size (its ${8 * trained} trained samples are skipped, none twice), then batch size 16`);
    // Epoch 1: 64 samples in 8 steps of 8; epoch 2: 64 samples in 4 steps of 16.
    expect(manifest(join(out, 'last'))).toMatchObject({ epoch: 1, step: 8 + 4 });
    const samples = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { samples: number }).samples);
    expect(samples).toEqual([64, 64]);
  }, 120_000);

  it('resume is bit-exact from the end of every epoch: 3 epochs straight = 1 or 2 epochs, then --resume', async () => {
    const straight = temp();
    expect((await runCli(['train', ...TINY, '--epochs', '3', '--out', straight])).code).toBe(0);
    for (const first of [1, 2]) {
      // After 2 epochs: the shared base run (the same command).
      const out = first === 2 ? copyOfBase() : temp();
      if (first === 1) expect((await runCli(['train', ...TINY, '--epochs', '1', '--out', out])).code).toBe(0);
      const r = await runCli(['train', ...TINY, '--epochs', '3', '--out', out, '--resume', join(out, 'last')]);
      expect(r.code, r.stderr).toBe(0);
      // The weights file is named by the sha256 of every weight and the optimizer state.
      expect(weightsFile(join(out, 'last')), `resumed after epoch ${first}`).toBe(weightsFile(join(straight, 'last')));
    }
  }, 300_000);

  it('report on a metrics line with a wrongly typed field, or without tau: the file, line and field named (exit 1)', async () => {
    const out = copyOfBase();
    const file = join(out, 'metrics.jsonl');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const second = JSON.parse(lines[1]) as Record<string, unknown>;
    writeFileSync(file, `${lines[0]}\n${JSON.stringify({ ...second, learningRate: 'fast' })}\n`);
    const typed = await runCli(['report', out]);
    expect(typed.code).toBe(1);
    expect(typed.stderr).toBe(`spikeflow: ${file}:2: not a metrics line: field "learningRate": expected a number, got string "fast"\n`);
    const { tau: _tau, ...noTau } = second;
    writeFileSync(file, `${lines[0]}\n${JSON.stringify(noTau)}\n`);
    const missing = await runCli(['report', out]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`spikeflow: ${file}:2: not a metrics line: field "tau" is missing\n`);
    // NaN metrics are written as null: such a line is still read.
    writeFileSync(file, `${lines[0]}\n${JSON.stringify({ ...second, testAccuracy: null, tau: { neuron0: null } })}\n`);
    const nulls = await runCli(['report', out]);
    expect(nulls.code, nulls.stderr).toBe(0);
  });
});

describe('an --out that cannot be written', () => {
  const mounts: string[] = [];
  afterAll(() => {
    for (const m of mounts) execFileSync('umount', [m]);
  });

  /** A read-only folder: a read-only tmpfs as root (root ignores permissions), else mode 0555. */
  function readOnlyFolder(): { dir: string; readOnlyMount: boolean } | undefined {
    const dir = temp();
    if (process.getuid?.() !== 0) {
      chmodSync(dir, 0o555);
      return { dir, readOnlyMount: false };
    }
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,ro', 'tmpfs', dir], { stdio: 'ignore' });
      mounts.push(dir);
      return { dir, readOnlyMount: true };
    } catch {
      return undefined;
    }
  }

  it('is named, read-only or not writable, before any training (exit 2), instead of ENOENT', async (ctx) => {
    assertBuilt();
    const ro = readOnlyFolder();
    if (!ro) {
      console.log('run-folder.test.ts: the read-only --out case skipped: as root it needs `mount -t tmpfs` (it runs as any other user, and as root where mounting is allowed)');
      ctx.skip();
      return;
    }
    const why = ro.readOnlyMount ? 'is on a read-only file system' : 'is not writable (permission denied)';
    const nested = await runCli(['train', ...TINY, '--epochs', '1', '--out', join(ro.dir, 'run', 'a')]);
    expect(nested.code).toBe(2);
    expect(nested.stderr).toBe(`spikeflow: --out ${join(ro.dir, 'run', 'a')}: cannot create the folder: ${ro.dir} ${why}\n`);
    const itself = await runCli(['train', ...TINY, '--epochs', '1', '--out', ro.dir]);
    expect(itself.code).toBe(2);
    expect(itself.stderr).toBe(`spikeflow: --out ${ro.dir}: cannot write there: ${ro.dir} ${why}\n`);
    expect(itself.stdout).not.toMatch(/^epoch /m);
    const file = join(temp(), 'a-file');
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, '');
    const notDir = await runCli(['train', ...TINY, '--epochs', '1', '--out', join(file, 'run')]);
    expect(notDir.code).toBe(2);
    expect(notDir.stderr).toBe(`spikeflow: --out ${join(file, 'run')}: cannot create the folder: ${file} is not a folder\n`);
  });
});
