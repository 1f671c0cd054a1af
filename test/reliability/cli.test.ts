// The command line: divergence stops the run, damaged checkpoints are named, resume keeps its
// promises, and every failure has its exit code (2 usage, 1 run error, 130 interrupted).
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeIdx } from '@spikeflow/datasets';
import { assertBuilt, metricsEpochs, runCli, TINY } from './cli-support.js';

const temp = () => mkdtempSync(join(tmpdir(), 'spikeflow-cli-'));
const snapshot = (dir: string) => Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f)).toString('base64')]));
const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { epoch: number; bestScore: number; metricsLines: number };
const metrics = (out: string) =>
  readFileSync(join(out, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown> & { epoch: number; testAccuracy: number });

/** A finished two-epoch run to resume from; each test copies it. */
let base = '';
function copyOfBase(): string {
  const out = temp();
  cpSync(base, out, { recursive: true });
  return out;
}

describe('spikeflow train: reliability', () => {
  beforeAll(async () => {
    assertBuilt();
    base = temp();
    const r = await runCli(['train', ...TINY, '--epochs', '2', '--out', base]);
    expect(r.code, r.stderr).toBe(0);
  }, 300_000);

  it('a diverging learning rate stops the run naming epoch and step, exit 1, last and best untouched', async () => {
    const out = copyOfBase();
    const last = snapshot(join(out, 'last'));
    const best = snapshot(join(out, 'best'));
    const r = await runCli(['train', ...TINY, '--epochs', '4', '--out', out, '--resume', join(out, 'last'), '--lr', '1e308']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/spikeflow: epoch 3, step \d+: .*(NaN or Infinity|is Infinity)/);
    expect(snapshot(join(out, 'last'))).toEqual(last);
    expect(snapshot(join(out, 'best'))).toEqual(best);
    expect(metricsEpochs(out)).toEqual([1, 2]);
    const fresh = temp();
    const r2 = await runCli(['train', ...TINY, '--epochs', '2', '--out', fresh, '--lr', '1e9']);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/spikeflow: epoch 1, step \d+: /);
    expect(readdirSync(fresh)).not.toContain('last');
  });

  it('a flipped byte in a checkpoint: resume and eval exit 1 naming the file', async () => {
    const out = copyOfBase();
    const dir = join(out, 'last');
    const bin = readdirSync(dir).find((f) => f.endsWith('.bin'))!;
    const bytes = readFileSync(join(dir, bin));
    bytes[bytes.length >> 1] ^= 0x10;
    writeFileSync(join(dir, bin), bytes);
    const r = await runCli(['train', ...TINY, '--epochs', '3', '--out', out, '--resume', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(dir, bin)} is damaged`);
    const e = await runCli(['eval', '--checkpoint', dir, '--backend', 'cpu']);
    expect(e.code).toBe(1);
    expect(e.stderr).toContain(`${join(dir, bin)} is damaged`);
  });

  it('resume keeps the best score: best moves only for a strictly better epoch', async () => {
    const out = copyOfBase();
    const r = await runCli(['train', ...TINY, '--epochs', '4', '--out', out, '--resume', join(out, 'last')]);
    expect(r.code, r.stderr).toBe(0);
    const lines = metrics(out);
    expect(lines.map((l) => l.epoch)).toEqual([1, 2, 3, 4]);
    const top = Math.max(...lines.map((l) => l.testAccuracy));
    const firstTop = lines.findIndex((l) => l.testAccuracy === top);
    expect(manifest(join(out, 'best'))).toMatchObject({ epoch: firstTop, bestScore: top });
    expect(manifest(join(out, 'last'))).toMatchObject({ epoch: 3, bestScore: top, metricsLines: 4 });
  });

  it('resume refuses model flags that contradict the checkpoint (exit 2, the flag named)', async () => {
    const out = copyOfBase();
    const r = await runCli(['train', ...TINY.filter((a, i, all) => a !== '--time-steps' && all[i - 1] !== '--time-steps'), '--time-steps', '2', '--epochs', '3', '--out', out, '--resume', join(out, 'last')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--time-steps gives T=2, the checkpoint was trained with T=1/);
    expect(metricsEpochs(out)).toEqual([1, 2]);
  });

  it('--resume RUN (the run folder) resumes from RUN/last and says so', async () => {
    const out = copyOfBase();
    const r = await runCli(['train', ...TINY, '--epochs', '3', '--out', out, '--resume', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${out} is a run folder: resuming from ${join(out, 'last')}`);
    expect(metricsEpochs(out)).toEqual([1, 2, 3]);
  });

  it('two runs with one seed give the same metrics (timings aside)', async () => {
    const other = temp();
    const r = await runCli(['train', ...TINY, '--epochs', '2', '--out', other]);
    expect(r.code, r.stderr).toBe(0);
    const strip = (l: Record<string, unknown>) => {
      const { imagesPerSecond: _a, seconds: _b, elapsedMinutes: _c, time: _d, ...rest } = l;
      return rest;
    };
    expect(metrics(other).map(strip)).toEqual(metrics(base).map(strip));
    expect(readFileSync(join(other, 'last', 'manifest.json'), 'utf8').match(/"files":\{[^}]*weights-[0-9a-f]+/)?.[0]).toBe(
      readFileSync(join(base, 'last', 'manifest.json'), 'utf8').match(/"files":\{[^}]*weights-[0-9a-f]+/)?.[0],
    );
  });
});

describe('spikeflow: exit codes', () => {
  beforeAll(assertBuilt);

  it('--help documents them; a bad backend, an impossible --time-steps are usage errors (2)', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/exit codes: 0 done, 1 run error \(bad data, divergence, damaged checkpoint\), 2 usage error \(.*\), 130 interrupted/);
    const tpu = await runCli(['train', ...TINY, '--backend', 'tpu']);
    expect(tpu.code).toBe(2);
    expect(tpu.stderr).toMatch(/--backend: unknown backend "tpu"/);
    const huge = await runCli(['train', ...TINY.filter((a, i, all) => a !== '--time-steps' && all[i - 1] !== '--time-steps'), '--time-steps', '1000000']);
    expect(huge.code).toBe(2);
    expect(huge.stderr).toMatch(/--time-steps/);
    // Within the flag's range, but T x batch cannot fit in memory: refused before allocating.
    const big = await runCli(['train', ...TINY.filter((a, i, all) => !['--time-steps', '--batch-size'].includes(a) && !['--time-steps', '--batch-size'].includes(all[i - 1])), '--time-steps', '10000', '--batch-size', '100000']);
    expect(big.code).toBe(2);
    expect(big.stderr).toMatch(/--time-steps and --batch-size: T=10000 at batch 100000 needs about \d+ GiB for one training step, this machine has [\d.]+ GiB/);
  });

  it('test images too small for the model fail before any training (exit 1, the file named)', async () => {
    const dir = temp();
    const images = encodeIdx(new Uint8Array(4 * 32 * 32), [4, 32, 32]);
    const labels = encodeIdx(Uint8Array.from([1, 2, 3, 4]), [4]);
    for (const split of ['train', 't10k']) {
      writeFileSync(join(dir, `${split}-images-idx3-ubyte`), images);
      writeFileSync(join(dir, `${split}-labels-idx1-ubyte`), labels);
    }
    const r = await runCli(['train', '--preset', 'fashion-mnist-small', '--backend', 'cpu', '--data-dir', dir, '--train-limit', '4', '--test-limit', '4']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${dir}/(train|t10k)-images-idx3-ubyte: images are 32x32 pixels; fashion-mnist images are 28x28`));
    expect(r.stdout).not.toMatch(/^epoch /m);
  });
});
