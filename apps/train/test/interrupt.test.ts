// End to end through the built `spikeflow` binary: Ctrl-C mid-epoch, exit codes, one-line errors.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(app, 'bin', 'spikeflow.js');
const built = existsSync(join(app, 'dist', 'index.js'));
if (!built) console.warn('interrupt.test.ts: skipped, apps/train/dist is missing; `npm test` builds it first (or run `npm run build`).');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the binary; `interruptWhen` sends `signal` (SIGINT by default) once stdout matches it. */
function spikeflow(args: string[], interruptWhen?: RegExp, signal: NodeJS.Signals = 'SIGINT'): Promise<Run & { interruptedAfterMs?: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sentAt: number | undefined;
    child.stdout.on('data', (d) => {
      stdout += d;
      if (interruptWhen && sentAt === undefined && interruptWhen.test(stdout)) {
        sentAt = Date.now();
        child.kill(signal);
      }
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, interruptedAfterMs: sentAt !== undefined ? Date.now() - sentAt : undefined }));
  });
}

const noStack = (r: Run) => expect(r.stderr).not.toMatch(/^\s+at /m);

describe.skipIf(!built)('spikeflow binary', () => {
  it('Ctrl-C mid-epoch saves the epoch so far and exits 130; --resume finishes the run', async () => {
    const out = mkdtempSync(join(tmpdir(), 'spikeflow-sigint-'));
    const common = ['train', '--preset', 'synthetic', '--backend', 'wasm', '--threads', '1', '--time-steps', '1', '--batch-size', '8', '--train-limit', '256', '--test-limit', '16', '--epochs', '1', '--progress', 'lines', '--out', out];
    // The first progress line comes after the first step: the run is mid-epoch then.
    const stopped = await spikeflow(common, /^ {2}epoch 1\/1 {2}\d+\/256/m);
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.interruptedAfterMs).toBeLessThan(30_000);
    expect(stopped.stderr).toContain('spikeflow: stopping after this step and saving a checkpoint');
    noStack(stopped);
    const m = /interrupted in epoch 1\/1 after (\d+) batches \((\d+) samples\)/.exec(stopped.stdout);
    expect(m, stopped.stdout).not.toBeNull();
    const batches = Number(m![1]);
    expect(batches).toBeGreaterThan(0);
    expect(batches).toBeLessThan(32);
    expect(stopped.stdout).toContain(`saved the epoch so far to ${join(out, 'last')}; continue with --resume ${join(out, 'last')}`);
    expect(existsSync(join(out, 'metrics.jsonl'))).toBe(false);

    const resumed = await spikeflow([...common, '--resume', join(out, 'last')]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`resumed from ${join(out, 'last')}: epoch 1 after ${batches} batches, step ${batches}`);
    const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(metrics).toHaveLength(1);
    // The resumed epoch counts the batches trained before the interruption.
    expect(metrics[0]).toMatchObject({ epoch: 1, complete: true, samples: 256 });
    const manifest = JSON.parse(readFileSync(join(out, 'last', 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ step: 32, metricsLines: 1 });
  }, 300_000);

  it('an experiment killed after its first run resumes without running it again', async () => {
    const out = mkdtempSync(join(tmpdir(), 'spikeflow-exp-kill-'));
    const args = ['experiment', 'max-vs-avg', '--preset', 'synthetic', '--images', '64', '--seeds', '2', '--batch-size', '16', '--time-steps', '1', '--train-limit', '64', '--test-limit', '16', '--backend', 'wasm', '--threads', '1', '--out', out];
    // Killed outright (no chance to clean up) once the first run has reported its result.
    const killed = await spikeflow(args, /^ {2}test acc [\d.]+% after 64 images/m, 'SIGKILL');
    expect(killed.code).toBeNull();
    const saved = readdirSync(join(out, 'runs'));
    expect(saved.length, killed.stdout).toBeGreaterThanOrEqual(1);
    expect(saved.length).toBeLessThan(4);
    const firstRun = readFileSync(join(out, 'runs', 'max-pool--seed-1.json'), 'utf8');

    const resumed = await spikeflow(args);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/^max-pool seed 1: finished before \(test acc [\d.]+%\), not run again$/m);
    expect(resumed.stdout).not.toMatch(/^max-pool seed 1: max pooling/m);
    // Exactly the runs not saved before the kill were trained, each once.
    const started = resumed.stdout.match(/^\S+ seed \d: (max|average) pooling on spikes$/gm) ?? [];
    expect(started).toHaveLength(4 - saved.length);
    expect(readFileSync(join(out, 'runs', 'max-pool--seed-1.json'), 'utf8')).toBe(firstRun);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.complete).toBe(true);
    expect(results.runs.map((r: { variant: string; seed: number }) => `${r.variant}/${r.seed}`)).toEqual(['max-pool/1', 'avg-pool/1', 'max-pool/2', 'avg-pool/2']);
  }, 300_000);

  it('bad input: one line, exit 2 for usage errors, no stack trace', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['train', '--preset', 'fashion-mnst'], /^spikeflow: --preset: unknown preset "fashion-mnst"; known: .* \(did you mean "fashion-mnist"\?\)\n$/],
      [['train', '--max-minutes', '0'], /^spikeflow: --max-minutes: expected a number > 0 and <= 10080, got "0"\n$/],
      [['experiment', 'max-vs-agv'], /^spikeflow: experiment: unknown experiment "max-vs-agv"; .*\(did you mean "max-vs-avg"\?\)\n$/],
      [['experiment', 'hyperpolarize', '--budget-minutes', '2'], /^spikeflow: --budget-minutes: experiments budget by images, not time: give --images N\n$/],
      [['experiment', 'hyperpolarize', '--variants', 'reset-to-rest,reset-2-below-rest'], /^spikeflow: --variants: unknown variant of hyperpolarize "reset-2-below-rest"; known: reset-to-rest, reset-0.25-below-rest, reset-0.5-below-rest, reset-1-below-rest.*\n$/],
      [['experiment', 'plif-vs-lif', '--seeds', '0'], /^spikeflow: --seeds: expected an integer from 1 to 1000, got "0"\n$/],
      [['experiment', 'max-vs-avg', '--images', '31'], /^spikeflow: --images: 31 is smaller than one batch \(32 images\); give at least 32\n$/],
      [['report', join(tmpdir(), 'no-such-run-folder')], /^spikeflow: report: ".*no-such-run-folder" is not a folder\n$/],
      [['train', '--spec', join(tmpdir(), 'no-such-spec.json')], /^spikeflow: --spec .*no-such-spec\.json: cannot read the file \(ENOENT\)\n$/],
    ];
    const runs = await Promise.all(cases.map(([args]) => spikeflow(args)));
    for (const [i, [args, expected]] of cases.entries()) {
      const r = runs[i];
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(expected);
      noStack(r);
    }
  }, 300_000);
});
