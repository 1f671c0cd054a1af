// Library fit() checks every step by default: bad data or a diverged step ends the run as
// 'diverged' with the StepError the command line prints, never as 'completed' with NaN weights.
import { beforeAll, describe, expect, it } from 'vitest';
import { fit, StepError, type BatchStream, type EpochReport } from '@spikeflow/core';
import { cpu, tf } from '../setup.js';
import { nonFiniteVariables, tinyTrainer, withValue } from './support.js';

/** Two epochs of 3 batches of 4 images; `poison` may spoil a batch (epoch, batch) before it is handed out. */
function stream(poison?: (epoch: number, batch: number, b: { xs: tf.Tensor; ys: tf.Tensor }) => Promise<{ xs: tf.Tensor; ys: tf.Tensor }>): BatchStream {
  return {
    size: 12,
    batchesPerEpoch: 3,
    async *batches(epoch: number) {
      for (let i = 0; i < 3; i++) {
        const b = { xs: tf.randomUniform([4, 6, 6, 1], 0, 1, 'float32', 100 * epoch + i), ys: tf.tensor1d([0, 1, 2, 3], 'int32') };
        yield poison ? await poison(epoch, i, b) : b;
      }
    },
  };
}

async function replaced(b: { xs: tf.Tensor; ys: tf.Tensor }, which: 'xs' | 'ys', value: number) {
  const spoilt = await withValue(b[which], 1, value);
  b[which].dispose();
  return { ...b, [which]: which === 'ys' ? tf.cast(spoilt, 'float32') : spoilt };
}

describe('fit() checks steps by default', () => {
  beforeAll(cpu);

  it('a NaN pixel in epoch 2: stopReason "diverged" with the input StepError, and epoch 2 never reaches onEpochEnd', async () => {
    const { net, trainer } = tinyTrainer();
    const ended: EpochReport[] = [];
    const data = stream(async (epoch, batch, b) => (epoch === 1 && batch === 1 ? replaced(b, 'xs', Number.NaN) : b));
    const result = await fit(trainer, data, { epochs: 2, readEvery: 1, onEpochEnd: (r) => void ended.push(r) });
    expect(result.stopReason).toBe('diverged');
    expect(result.error).toBeInstanceOf(StepError);
    expect(result.error).toMatchObject({ kind: 'input', epoch: 2, step: 5 });
    expect(result.error!.message).toBe('epoch 2, step 5: the input batch holds NaN or Infinity');
    expect(ended.map((r) => r.epoch)).toEqual([1]);
    trainer.dispose();
    net.dispose();
  });

  it('with readEvery 20 (longer than the run), the check at the epoch end still stops it', async () => {
    const { net, trainer } = tinyTrainer();
    const data = stream(async (epoch, batch, b) => (epoch === 0 && batch === 0 ? replaced(b, 'xs', Number.POSITIVE_INFINITY) : b));
    const ended: number[] = [];
    const result = await fit(trainer, data, { epochs: 2, onEpochEnd: (r) => void ended.push(r.epoch) });
    expect(result).toMatchObject({ stopReason: 'diverged', error: { kind: 'input', epoch: 1, step: 1 } });
    expect(ended).toEqual([]);
    trainer.dispose();
    net.dispose();
  });

  it('a NaN label: "diverged", the labels named', async () => {
    const { net, trainer } = tinyTrainer();
    const data = stream(async (epoch, batch, b) => (batch === 2 ? replaced(b, 'ys', Number.NaN) : b));
    const result = await fit(trainer, data, { epochs: 2 });
    expect(result).toMatchObject({ stopReason: 'diverged', error: { kind: 'labels', epoch: 1, step: 3 } });
    trainer.dispose();
    net.dispose();
  });

  it('a learning rate of 1e308: "diverged" at step 1 naming the weight, not "completed" with NaN weights', async () => {
    const { net, trainer } = tinyTrainer(1, 1e308);
    const result = await fit(trainer, stream(), { epochs: 2 });
    expect(result.stopReason).toBe('diverged');
    expect(result.error).toMatchObject({ kind: 'weight', epoch: 1, step: 1 });
    trainer.dispose();
    net.dispose();
  });

  it('checkSteps: false opts out: the same NaN input completes (the speed option, documented as unchecked)', async () => {
    const { net, trainer } = tinyTrainer();
    const data = stream(async (epoch, batch, b) => (epoch === 0 && batch === 0 ? replaced(b, 'xs', Number.NaN) : b));
    const result = await fit(trainer, data, { epochs: 2, checkSteps: false });
    expect(result.stopReason).toBe('completed');
    expect(result.error).toBeUndefined();
    expect(await nonFiniteVariables(net)).not.toEqual([]);
    trainer.dispose();
    net.dispose();
  });
});
