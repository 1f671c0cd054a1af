// SIGKILL at random instants around epoch boundaries, then resume: metrics and checkpoints agree.
import { existsSync, mkdtempSync, readdirSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, metricsEpochs, runCli, start, TINY } from './cli-support.js';

const KILLS_PER_CHAIN = 11;
const CHAINS = 2;
// Far more epochs than the kills can reach on a fast machine, so every kill lands mid-run; the last
// resume trains the rest.
const EPOCHS = 120;

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

/** A model small enough that an epoch takes a fraction of a second, so kills find many boundaries. */
function tinySpecFile(dir: string): string {
  const file = join(dir, 'tiny.json');
  const model = {
    name: 'kill-tiny',
    input: { shape: [28, 28, 1] },
    timeSteps: 1,
    layers: [
      { kind: 'pool', pool: 'max', size: 4 },
      { kind: 'flatten' },
      { kind: 'dropout', rate: 0.2 },
      { kind: 'dense', units: 20 },
      { kind: 'neuron', neuron: 'plif' },
      { kind: 'voting', groups: 10 },
    ],
  };
  writeFileSync(file, JSON.stringify({ model }));
  return file;
}

interface ChainResult {
  out: string;
  kills: number;
  /** Kills after which metrics.jsonl held more lines than last's manifest accounts for. */
  splits: number;
}

/**
 * Trains one run, killing it `kills` times: half the kills come a random 0-300 ms after an epoch's
 * line (anywhere in the saves and the next epoch), half a random 0-40 ms after metrics.jsonl
 * changes (inside the window between the metrics line and the checkpoints). Each restart resumes.
 */
async function killChain(kills: number, seed: number): Promise<ChainResult> {
  const out = mkdtempSync(join(tmpdir(), 'spikeflow-kill-'));
  const spec = tinySpecFile(out);
  const random = delays(seed);
  const args = ['train', ...TINY, '--spec', spec, '--epochs', String(EPOCHS), '--out', out];
  let splits = 0;
  for (let k = 0; k < kills; k++) {
    const resume = existsSync(join(out, 'last', 'manifest.json')) ? ['--resume', join(out, 'last')] : [];
    const onMetrics = k % 2 === 1;
    let armed = false;
    const arm = (kill: () => void, within: number) => {
      if (armed) return;
      armed = true;
      setTimeout(kill, Math.floor(random() * within));
    };
    const { child, done } = start([...args, ...resume], (line, c) => {
      if (!onMetrics && /^epoch \d+\/\d+/.test(line)) arm(() => c.kill('SIGKILL'), 300);
    });
    const watcher = onMetrics
      ? watch(out, (_event, name) => {
          if (name === 'metrics.jsonl') arm(() => child.kill('SIGKILL'), 40);
        })
      : undefined;
    const run = await done;
    watcher?.close();
    if (run.signal !== 'SIGKILL') expect.fail(`kill ${k + 1} (seed ${seed}): the run ended with code ${run.code} before the kill:\n${run.stdout}\n${run.stderr}`);
    if (metricsEpochs(out).length > (manifestOf(join(out, 'last'))?.metricsLines ?? 0)) splits++;
  }
  // On a slow machine every kill may land before the first checkpoint: then the last run starts afresh.
  const lastResume = existsSync(join(out, 'last', 'manifest.json')) ? ['--resume', join(out, 'last')] : [];
  const final = await runCli([...args, ...lastResume]);
  expect(final.code, final.stderr).toBe(0);
  return { out, kills, splits };
}

describe('kills around epoch boundaries', () => {
  beforeAll(assertBuilt);

  it(`${KILLS_PER_CHAIN * CHAINS} SIGKILLs across the save window, each followed by a resume: every epoch is in metrics exactly once`, async () => {
    const seed = Number(process.env.SPIKEFLOW_KILL_SEED ?? 20260);
    const chains = await Promise.all(Array.from({ length: CHAINS }, (_, i) => killChain(KILLS_PER_CHAIN, seed + i)));
    for (const { out } of chains) {
      expect(metricsEpochs(out)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
      expect(manifestOf(join(out, 'last'))).toMatchObject({ epoch: EPOCHS - 1, metricsLines: EPOCHS });
      for (const sub of ['last', 'best']) expect(readdirSync(join(out, sub)).filter((f) => f.includes('.tmp-'))).toEqual([]);
    }
    const splits = chains.reduce((n, c) => n + c.splits, 0);
    console.log(`kill-resume: ${chains.reduce((n, c) => n + c.kills, 0)} kills (seed ${seed}), ${splits} left metrics.jsonl ahead of last/ and were repaired by the resume`);
    // The window a kill could split was hit, and repaired.
    expect(splits, `kills that split metrics from the checkpoint (seed ${seed})`).toBeGreaterThanOrEqual(1);
  }, 900_000);
});
