// SIGTERM (how Docker, systemd and Kubernetes stop a job) is handled like Ctrl-C: the epoch so far
// is saved, the exit code is 143, and the printed command continues the run to the same weights.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, metricsEpochs, runCli, start, TINY, type Run } from './cli-support.js';

const temp = () => mkdtempSync(join(tmpdir(), 'spikeflow-signal-'));
/** TINY with 8 batches per epoch and a progress line after the first step of each epoch's start. */
const ARGS = ['train', ...TINY.filter((a, i, all) => !['--progress', '--train-limit'].includes(a) && !['--progress', '--train-limit'].includes(all[i - 1])), '--train-limit', '64', '--progress', 'lines'];

/** The weights (and optimizer state) of a checkpoint: the content-named file its manifest lists. */
const weightsFile = (dir: string) => readdirSync(dir).find((f) => /^weights-[0-9a-f]+\.bin$/.test(f));

/** Runs the command and sends SIGTERM once a stdout line matches `when`. */
async function terminatedWhen(args: string[], when: RegExp): Promise<Run> {
  let sent = false;
  const { done } = start(args, (line, child) => {
    if (!sent && when.test(line)) {
      sent = true;
      child.kill('SIGTERM');
    }
  });
  return done;
}

/** The arguments of the "continue with: spikeflow ..." line (temp paths hold no spaces or quotes). */
function continueArgs(stdout: string): string[] {
  const line = /^continue with: spikeflow (.*)$/m.exec(stdout);
  expect(line, stdout).not.toBeNull();
  return line![1].split(' ');
}

describe('SIGTERM', () => {
  beforeAll(assertBuilt);

  it('mid-epoch: exit 143 with a message, the epoch so far saved; the printed command resumes; each epoch once, weights bit-identical to an uninterrupted run', async () => {
    const reference = temp();
    const straight = await runCli([...ARGS, '--epochs', '3', '--out', reference]);
    expect(straight.code, straight.stderr).toBe(0);

    const out = temp();
    // The first progress line comes after the first step of epoch 1: mid-epoch.
    const first = await terminatedWhen([...ARGS, '--epochs', '3', '--out', out], /^ {2}epoch 1\/3 {2}\d+\/64/);
    expect(first.code, first.stderr).toBe(143);
    expect(first.signal).toBeNull();
    expect(first.stderr).toContain('spikeflow: stopping after this step and saving a checkpoint (SIGTERM received; send it again to quit now)');
    const m = /interrupted in epoch 1\/3 after (\d+) batches \((\d+) samples\)/.exec(first.stdout);
    expect(m, first.stdout).not.toBeNull();
    expect(Number(m![1])).toBeLessThan(8);
    expect(first.stdout).toContain(`saved the epoch so far to ${join(out, 'last')}`);
    expect(existsSync(join(out, 'spikeflow.lock'))).toBe(false);

    // Continue exactly as printed, and stop again as epoch 2 ends (in its saves or early in epoch 3).
    const args = continueArgs(first.stdout);
    expect(args).toContain('--resume');
    expect(args).not.toContain('--out');
    const second = await terminatedWhen(args, /^epoch 2\/3 /);
    expect(second.code, second.stdout + second.stderr).toBe(143);
    const third = await runCli(continueArgs(second.stdout));
    expect(third.code, third.stderr).toBe(0);

    expect(metricsEpochs(out)).toEqual([1, 2, 3]);
    expect(weightsFile(join(out, 'last'))).toBe(weightsFile(join(reference, 'last')));
    expect(readFileSync(join(out, 'last', 'manifest.json'), 'utf8')).toMatch(/"epoch":2,"step":24/);
    expect(existsSync(join(out, 'spikeflow.lock'))).toBe(false);
  }, 300_000);

  it('a second SIGTERM quits at once with 143, and the run folder is unlocked', async () => {
    const out = temp();
    let sent = 0;
    const { done } = start([...ARGS, '--epochs', '50', '--out', out], (line, child) => {
      if (sent === 0 && /^ {2}epoch 1\/50/.test(line)) {
        sent = 1;
        child.kill('SIGTERM');
        child.kill('SIGTERM');
      }
    });
    const r = await done;
    expect(r.code, r.stderr).toBe(143);
    expect(existsSync(join(out, 'spikeflow.lock'))).toBe(false);
  }, 120_000);
});
