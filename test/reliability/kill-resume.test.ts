// SIGKILL at random instants around epoch boundaries, then resume: metrics and checkpoints agree.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, metricsEpochs, runCli, start, TINY } from './cli-support.js';

const KILLS = 22;
const EPOCHS = 30;

/** A seeded PRNG for the kill delays (mulberry32), so a failure can be replayed. */
function delays(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function manifestOf(dir: string): { epoch: number; metricsLines?: number; bestScore?: number | null } | undefined {
  const file = join(dir, 'manifest.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

describe('kills around epoch boundaries', () => {
  beforeAll(assertBuilt);

  it(`${KILLS} SIGKILLs across the save window, each followed by a resume: every epoch is in metrics exactly once`, async () => {
    const out = mkdtempSync(join(tmpdir(), 'spikeflow-kill-'));
    const seed = Number(process.env.SPIKEFLOW_KILL_SEED ?? 20260);
    const random = delays(seed);
    let kills = 0;
    let splitsSeen = 0; // kills after the metrics line was written but before the checkpoint recorded it
    let period = 400; // ms between epoch lines, measured as the runs go
    while (kills < KILLS) {
      const resume = existsSync(join(out, 'last', 'manifest.json')) ? ['--resume', join(out, 'last')] : [];
      let lastLine = 0;
      let armed = false;
      const { child, done } = start(['train', ...TINY, '--epochs', String(EPOCHS), '--out', out, ...resume], (line, c) => {
        if (!/^epoch \d+\/\d+/.test(line) || armed) return;
        const now = Date.now();
        if (lastLine) period = 0.5 * period + 0.5 * (now - lastLine);
        lastLine = now;
        armed = true;
        // Anywhere from the epoch's line, through its saves, into the next epoch.
        setTimeout(() => c.kill('SIGKILL'), Math.floor(random() * 1.2 * period));
      });
      const run = await done;
      if (run.signal !== 'SIGKILL') {
        expect.fail(`run ${kills + 1} ended with code ${run.code} before it was killed (seed ${seed}):\n${run.stdout}\n${run.stderr}`);
      }
      kills++;
      const epochs = metricsEpochs(out);
      const recorded = manifestOf(join(out, 'last'))?.metricsLines ?? 0;
      if (epochs.length > recorded) splitsSeen++;
    }
    const final = await runCli(['train', ...TINY, '--epochs', String(EPOCHS), '--out', out, '--resume', join(out, 'last')]);
    expect(final.code, final.stderr).toBe(0);
    expect(metricsEpochs(out)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
    const last = manifestOf(join(out, 'last'))!;
    expect(last).toMatchObject({ epoch: EPOCHS - 1, metricsLines: EPOCHS });
    // Nothing left over from the killed saves.
    for (const sub of ['last', 'best']) expect(readdirSync(join(out, sub)).filter((f) => f.includes('.tmp-'))).toEqual([]);
    // At least a few kills landed between the metrics line and the checkpoint that records it.
    expect(splitsSeen, `kills that split metrics from the checkpoint (seed ${seed})`).toBeGreaterThanOrEqual(1);
  }, 600_000);
});
