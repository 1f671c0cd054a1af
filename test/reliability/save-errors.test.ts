// A save that cannot be written (a full disk) names the file, leaves no temp file, and keeps the
// last good checkpoint. The failing write is injected under node:fs/promises, so this runs anywhere.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { CheckpointError, loadCheckpoint, saveCheckpoint } from '@spikeflow/core';
import '@spikeflow/core/node';
import { cpu, tf } from '../setup.js';
import { batch, tinyTrainer } from './support.js';

/** File names (basename pattern) whose writes fail with ENOSPC; empty: writes work. */
const failing: { pattern?: RegExp } = {};

vi.mock('node:fs/promises', async (original) => {
  const fs = await original<typeof import('node:fs/promises')>();
  const open: typeof fs.open = async (path, ...rest) => {
    const fh = await fs.open(path, ...rest);
    if (!failing.pattern?.test(String(path))) return fh;
    // The disk fills while the data is written: Node's error names no file ("ENOSPC ..., write").
    return Object.assign(Object.create(fh) as typeof fh, {
      writeFile: async () => {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
      },
      close: () => fh.close(),
      sync: () => fh.sync(),
    });
  };
  return { ...fs, open, default: { ...fs, open } };
});

const temps = (dir: string) => readdirSync(dir).filter((f) => f.includes('.tmp'));

async function weightsOf(dir: string): Promise<number[]> {
  const ckpt = await loadCheckpoint(`file://${dir}`);
  const values = (await Promise.all(ckpt.network.trainableVariables().map(async (v) => Array.from(await v.data())))).flat();
  ckpt.network.dispose();
  return values;
}

describe('a save that fails to write', () => {
  beforeAll(cpu);

  for (const [what, file] of [
    ['the weights', 'weights-[0-9a-f]+\\.bin'],
    ['the model file', 'model-[0-9a-f]+\\.json'],
    ['manifest.json (the commit point)', 'manifest\\.json'],
  ] as const) {
    const pattern = new RegExp(`/${file}\\.tmp-`);
    it(`ENOSPC while writing ${what}: a CheckpointError naming the file, no .tmp left, the last good checkpoint loads unchanged`, async () => {
      const dir = join(mkdtempSync(join(tmpdir(), 'spikeflow-enospc-')), 'last');
      const { net, trainer } = tinyTrainer();
      const { x, y } = batch();
      tf.dispose(Object.values(trainer.trainStep(x, y)));
      await saveCheckpoint(net, `file://${dir}`, { trainer });
      const good = await weightsOf(dir);
      const goodFiles = readdirSync(dir).sort();
      tf.dispose(Object.values(trainer.trainStep(x, y))); // new weights: new content-named files
      failing.pattern = pattern;
      let error: unknown;
      try {
        await saveCheckpoint(net, `file://${dir}`, { trainer });
      } catch (e) {
        error = e;
      } finally {
        failing.pattern = undefined;
      }
      expect(error).toBeInstanceOf(CheckpointError);
      const message = (error as Error).message;
      expect(message).toMatch(new RegExp(`^cannot write checkpoint file ${dir}/${file} \\(\\d+ bytes\\): ENOSPC: no space left on the device$`));
      expect(temps(dir)).toEqual([]);
      // The files of the failed save are gone too: only the good checkpoint's remain.
      expect(readdirSync(dir).sort()).toEqual(goodFiles);
      expect(await weightsOf(dir)).toEqual(good);
      tf.dispose([x, y]);
      trainer.dispose();
      net.dispose();
    });
  }
});
