// A damaged, diverged or half-written checkpoint never loads silently.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, loadCheckpoint, saveCheckpoint } from '@spikeflow/core';
import { readManifest } from '@spikeflow/core/node';
import { cpu, tf } from '../setup.js';
import { batch, tinyTrainer, withValue } from './support.js';

async function savedRun(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'spikeflow-integrity-'));
  const { net, trainer } = tinyTrainer(3);
  const { x, y } = batch();
  trainer.setEpoch(4);
  for (let i = 0; i < 2; i++) tf.dispose(Object.values(trainer.trainStep(x, y)));
  await saveCheckpoint(net, `file://${dir}`, { trainer, bestScore: 0.5, metricsLines: 5 });
  tf.dispose([x, y]);
  trainer.dispose();
  net.dispose();
  return dir;
}

async function loadError(dir: string): Promise<CheckpointError> {
  const e = await loadCheckpoint(`file://${dir}`).then((c) => c.network.dispose(), (err: unknown) => err);
  expect(e).toBeInstanceOf(CheckpointError);
  return e as CheckpointError;
}

describe('checkpoint manifest', () => {
  beforeAll(cpu);

  it('records sha256 and size of every file, epoch, step, best score and metrics line count', async () => {
    const dir = await savedRun();
    const m = await readManifest(dir);
    expect(m).toMatchObject({ format: 'spikeflow.manifest/v1', epoch: 4, step: 2, bestScore: 0.5, metricsLines: 5 });
    expect(Object.keys(m.files).sort()).toEqual(readdirSync(dir).filter((f) => f !== 'manifest.json').sort());
    for (const entry of Object.values(m.files)) expect(entry.sha256).toMatch(/^[0-9a-f]{64}$/);
    const loaded = await loadCheckpoint(`file://${dir}`);
    expect(loaded.meta).toMatchObject({ epoch: 4, step: 2, bestScore: 0.5, metricsLines: 5, seed: 3 });
    loaded.network.dispose();
  });

  it('a flipped byte in each checkpoint file is found, and the error names that file', async () => {
    const dir = await savedRun();
    const files = readdirSync(dir);
    expect(files).toHaveLength(3); // manifest.json, model-<hash>.json, weights-<hash>.bin
    for (const name of files) {
      const path = join(dir, name);
      const good = readFileSync(path);
      for (const at of [0, Math.floor(good.length / 2), good.length - 1]) {
        const bad = Buffer.from(good);
        bad[at] ^= 0x01;
        writeFileSync(path, bad);
        const e = await loadError(dir);
        expect(e.file).toBe(path);
        expect(e.message).toContain(path);
        expect(e.message).toMatch(/is damaged/);
      }
      writeFileSync(path, good);
    }
    (await loadCheckpoint(`file://${dir}`)).network.dispose(); // restored: loads again
  });

  it('a weight overwritten with NaN bytes is found (by its digest)', async () => {
    const dir = await savedRun();
    const bin = readdirSync(dir).find((f) => f.endsWith('.bin'))!;
    const bytes = readFileSync(join(dir, bin));
    bytes.writeFloatLE(Number.NaN, 8);
    writeFileSync(join(dir, bin), bytes);
    expect((await loadError(dir)).file).toBe(join(dir, bin));
  });

  it('weights holding NaN are neither saved over a good checkpoint nor loaded', async () => {
    const dir = await savedRun();
    const before = readdirSync(dir).sort();
    const { net } = tinyTrainer(3);
    const kernel = net.namedVariables()[0].variable;
    const poisoned = await withValue(kernel, 0, Number.NaN);
    kernel.assign(poisoned);
    await expect(saveCheckpoint(net, `file://${dir}`)).rejects.toThrow(/weight "conv2d0\/kernel" holds NaN or Infinity; the checkpoint was not written/);
    expect(readdirSync(dir).sort()).toEqual(before);
    // Written by other means (e.g. an older version): refused on load, naming the weight.
    const handler = {
      load: async (): Promise<tf.io.ModelArtifacts> => {
        const { data, specs } = await tf.io.encodeWeights(Object.fromEntries(net.namedVariables().map((v) => [v.name, v.variable])));
        const meta = { format: 'spikeflow.checkpoint/v1', step: 0, epoch: 0, neurons: {} };
        return { modelTopology: { spikeflowModel: net.spec } as never, weightSpecs: specs, weightData: data, userDefinedMetadata: { spikeflow: meta } as never };
      },
    };
    await expect(loadCheckpoint(handler)).rejects.toThrow(/weight "conv2d0\/kernel" in the given handler holds NaN or Infinity/);
    tf.dispose(poisoned);
    net.dispose();
  });

  it('leftovers of a killed save (temp files, an orphan weights file) are removed by the next save', async () => {
    const dir = await savedRun();
    const junk = ['model.json.tmp-4242-1', 'weights-00112233aabbccdd.bin', 'weights-00112233aabbccdd.bin.tmp-4242-2', 'manifest.json.tmp-4242-3'];
    for (const f of junk) writeFileSync(join(dir, f), 'half');
    (await loadCheckpoint(`file://${dir}`)).network.dispose(); // leftovers do not disturb loading
    const { net } = tinyTrainer(4);
    await saveCheckpoint(net, `file://${dir}`);
    const left = readdirSync(dir);
    for (const f of junk) expect(left).not.toContain(f);
    expect(left).toHaveLength(3);
    net.dispose();
  });

  it('a missing file and a run folder instead of a checkpoint folder are named', async () => {
    const dir = await savedRun();
    const bin = readdirSync(dir).find((f) => f.endsWith('.bin'))!;
    const bytes = readFileSync(join(dir, bin));
    writeFileSync(join(dir, 'manifest.json.bak'), '');
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, bin));
    expect((await loadError(dir)).message).toMatch(new RegExp(`${bin} is missing`));
    writeFileSync(join(dir, bin), bytes);
    const runFolder = mkdtempSync(join(tmpdir(), 'spikeflow-run-'));
    expect((await loadError(runFolder)).message).toMatch(/holds no checkpoint.*is it a run folder\? checkpoints are its last\/ and best\/ folders/);
    expect(existsSync(join(runFolder, 'manifest.json'))).toBe(false);
  });
});
